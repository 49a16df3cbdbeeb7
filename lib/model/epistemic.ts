/**
 * Epistemic uncertainty by test-time augmentation: the segmenter looks at the slice under small changes it
 * was trained to ignore (flip, scale, rotation), each prediction is mapped back onto the slice, and the
 * disagreement between the passes' lesion masks is the signal — per class, so that a strategy can favour
 * the rarer class (consolidation). MONAI Label's epistemic strategy does the same with 5 dropout passes;
 * Mask R-CNN's heads have no dropout, so the passes differ by their input instead.
 */
import { affineAboutCentre, flipHorizontal, type GreySlice } from './data/augment';
import type { ClassThreshold } from './calibrate';
import { predictWith, type Segmenter } from './predict';

/** One view of the slice: how to make it, and how to bring a label map made on it back. */
export interface TtaPass {
  name: string;
  forward: (slice: GreySlice) => GreySlice;
  back: (labels: Uint8Array, height: number, width: number) => Uint8Array;
}

const deg = Math.PI / 180;
const affine = (name: string, angle: number, scale: number): TtaPass => ({
  name,
  forward: (s) => affineAboutCentre(s, new Uint8Array(s.pixels.length), angle, scale).image,
  // the inverse transform, nearest-neighbour on the labels (affineAboutCentre's label path)
  back: (labels, height, width) => affineAboutCentre({ height, width, pixels: new Float32Array(labels.length) }, labels, -angle, 1 / scale).labels,
});

/** Five passes, as MONAI Label's epistemic scoring uses: identity, mirror, ±10 % scale, a small rotation. */
export const TTA_PASSES: readonly TtaPass[] = [
  { name: 'identity', forward: (s) => s, back: (l) => l },
  { name: 'hflip', forward: (s) => ({ ...s, pixels: flipHorizontal(s.pixels, s.height, s.width) }), back: (l, h, w) => flipHorizontal(l, h, w) },
  affine('scale-0.9', 0, 0.9),
  affine('scale-1.1', 0, 1.1),
  affine('rotate-8', 8 * deg, 1),
];

/**
 * Disagreement of K label maps about one label, in [0, 1]: 1 − mean pairwise Dice of the masks. Two empty
 * masks agree (Dice 1): a slice every pass calls lesion-free is not uncertain.
 */
export function maskDisagreement(maps: readonly Uint8Array[], label: number): number {
  if (maps.length < 2) return 0;
  const masks = maps.map((m) => m.map((v) => (v === label ? 1 : 0)));
  const areas = masks.map((m) => m.reduce((a, v) => a + v, 0));
  let sum = 0, pairs = 0;
  for (let i = 0; i < masks.length; i++) {
    for (let j = i + 1; j < masks.length; j++) {
      let inter = 0;
      for (let p = 0; p < masks[i].length; p++) inter += masks[i][p] & masks[j][p];
      const denom = areas[i] + areas[j];
      sum += denom === 0 ? 1 : (2 * inter) / denom;
      pairs++;
    }
  }
  return 1 - sum / pairs;
}

export interface EpistemicUncertainty {
  /** Class name → disagreement of the passes about that class. */
  byClass: Record<string, number>;
  /** Mean over the classes. */
  mean: number;
}

/**
 * Runs the segmenter on every pass and measures their disagreement per class, on what would be proposed: the
 * version's proposal thresholds (without them, every detection above the config's score threshold).
 */
export async function epistemicUncertainty(model: Segmenter, slice: GreySlice, opts: { thresholds?: Record<string, ClassThreshold>; passes?: readonly TtaPass[] } = {}): Promise<EpistemicUncertainty> {
  const passes = opts.passes ?? TTA_PASSES;
  const maps: Uint8Array[] = [];
  for (const p of passes) maps.push(p.back((await predictWith(model, p.forward(slice), undefined, { polygons: false, thresholds: opts.thresholds })).labelMap, slice.height, slice.width));
  const names = model.config.classNames;
  const byClass = Object.fromEntries(names.map((name, k) => [name, maskDisagreement(maps, k + 1)]));
  const values = Object.values(byClass);
  return { byClass, mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length) };
}
