/**
 * Instances for Mask R-CNN targets: one instance per connected component (8-connected) of each
 * class in a label map (model-spec: "one instance per connected component of each class"); very small
 * components are dropped because they give degenerate boxes and no usable 28×28 mask target.
 */
import type { MaskType } from '../config';

export interface Instances {
  /** [n*4] x1, y1, x2, y2 in pixels, far edges exclusive (x2 = last column + 1). */
  boxes: Float32Array;
  /** 1-based class labels (1 = first foreground class). */
  labels: Int32Array;
  /** Binary masks of all instances, [n × height × width] row-major (maskTargets.projectMasksOnBoxes layout). */
  masks: Uint8Array;
  height: number;
  width: number;
}

/**
 * The label of a lesion whose class the data does not give (merged-lesion masks, e.g. the Zenodo set,
 * used to train a GGO/C model): one past the last foreground class. The losses treat it as "one of the
 * foreground classes" (losses.classWeights), so merged data teaches where lesions are and leaves the
 * GGO/C decision to the slices that make it.
 */
export const unknownLesionLabel = (numForeground: number) => numForeground + 1;

/**
 * Maps a label map read from disk (0 bg, 1 GGO, 2 C; or 0/1 merged lesion) to the model's labels.
 * `merge` joins GGO and C; `ggo` treats C as background; merged data in a `both` model becomes lesions of
 * unknown class (unknownLesionLabel(2) = 3).
 */
export function labelsForMaskType(labels: Uint8Array, sourceMode: 'classes' | 'merged', maskType: MaskType): Uint8Array {
  if (sourceMode === 'merged' && maskType === 'ggo') {
    throw new Error('This dataset has merged lesion masks (GGO and C not told apart): train it with mask type "merge" or "both", not "ggo"');
  }
  if (maskType === 'both' && sourceMode === 'merged') {
    const unknown = unknownLesionLabel(2);
    return labels.map((v) => (v > 0 ? unknown : 0));
  }
  if (maskType === 'both' || sourceMode === 'merged') return labels;
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = maskType === 'merge' ? (labels[i] > 0 ? 1 : 0) : labels[i] === 1 ? 1 : 0;
  return out;
}

/** Connected components of every class 1..numClasses; components under `minArea` pixels are dropped. */
export function instancesFromLabelMap(labels: Uint8Array, height: number, width: number, numClasses: number, minArea: number): Instances {
  const comp = new Int32Array(labels.length).fill(-1);
  const boxes: number[] = [];
  const outLabels: number[] = [];
  const masks: Uint8Array[] = []; // one per kept component, joined at the end
  const stack: number[] = [];
  const pixels: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    const cls = labels[start];
    if (cls === 0 || cls > numClasses || comp[start] !== -1) continue;
    pixels.length = 0;
    stack.push(start);
    comp[start] = start;
    let x1 = width, y1 = height, x2 = -1, y2 = -1;
    while (stack.length) {
      const p = stack.pop()!;
      pixels.push(p);
      const y = (p / width) | 0, x = p - y * width;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (comp[q] === -1 && labels[q] === cls) { comp[q] = start; stack.push(q); }
        }
      }
    }
    if (pixels.length < Math.max(minArea, 1)) continue;
    const m = new Uint8Array(labels.length);
    for (const p of pixels) m[p] = 1;
    masks.push(m);
    boxes.push(x1, y1, x2 + 1, y2 + 1);
    outLabels.push(cls);
  }
  const flat = new Uint8Array(masks.length * labels.length);
  masks.forEach((m, i) => flat.set(m, i * labels.length));
  return { boxes: Float32Array.from(boxes), labels: Int32Array.from(outLabels), masks: flat, height, width };
}
