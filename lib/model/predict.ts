/**
 * predict(slice): lesion instances (class, score, box, polygon) from the segmenter, the slice's class
 * probabilities from classifier S when one is loaded, and uncertainty signals for active learning:
 *   - S: least-confidence, margin and (normalised) entropy of the class probabilities;
 *   - detections: per detection u = ½·H(score) + ½·mean H(mask probabilities) over its 28×28 mask
 *     (H = binary entropy in bits, in [0,1]); the slice value is the score-weighted mean over detections
 *     (0 when nothing is detected), and the maximum is reported too.
 */
import { traceClass, type LesionClass, type Point } from '@/lib/imaging/contours';
import { classUncertainty, type CovidCtMaskNet } from './classifierS';
import type { GreySlice } from './data/augment';
import { prepareInput, boxesToOriginal } from './data/prepare';
import type { MaskRcnn, RawDetections } from './maskRcnn';
import { pasteMasksInImage } from './pasteMasks';

export interface PredictedInstance {
  /** Class name (GGO, C, or lesion for `merge`). */
  class: string;
  /** 1-based label in the segmenter's class list. */
  label: number;
  score: number;
  /** [x1, y1, x2, y2] in original-image pixels. */
  box: [number, number, number, number];
  /** Outer ring then holes, original-image pixels (see lib/imaging/contours.ts). */
  polygon: { points: Point[]; holes: Point[][] }[];
  /** Pixels of the pasted, thresholded mask. */
  area: number;
  /** Detection-level uncertainty of this instance (see file comment). */
  uncertainty: number;
  /** The binary mask (height × width), only with `keepMasks`. */
  mask?: Uint8Array;
}

export interface PredictOptions {
  /** Keep each instance's binary mask (evaluation). */
  keepMasks?: boolean;
  /** Trace polygons (default true; evaluation skips it). */
  polygons?: boolean;
}

export interface SlicePrediction {
  instances: PredictedInstance[];
  /** Per-pixel label map (0 background, k = classNames[k-1]); higher-scoring instances win overlaps. */
  labelMap: Uint8Array;
  width: number;
  height: number;
  /** From S, when a classifier is given: class name → probability (sigmoid). */
  sliceProbabilities?: Record<string, number>;
  uncertainty: {
    leastConfidence?: number;
    margin?: number;
    entropy?: number;
    detection: number;
    detectionMax: number;
  };
}

const bits = (p: number) => (p <= 0 || p >= 1 ? 0 : -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p)));

export function detectionUncertainty(score: number, maskProbs: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < maskProbs.length; i++) h += bits(maskProbs[i]);
  return 0.5 * bits(score) + 0.5 * (maskProbs.length ? h / maskProbs.length : 0);
}

export function predict(segmenter: MaskRcnn, slice: GreySlice, classifier?: CovidCtMaskNet, opts: PredictOptions = {}): SlicePrediction {
  const input = prepareInput(slice, segmenter.config);
  let det: RawDetections;
  try {
    det = segmenter.detect(input, { withMasks: true });
  } finally {
    input.image.dispose();
  }
  const { height, width } = slice;
  const boxes = boxesToOriginal(det.boxes, input.imageHW, [height, width]);
  const m = segmenter.config.maskHead.resolution;
  const d = det.scores.length;
  const pasted = d ? pasteMasksInImage(det.maskProbs!, boxes, [height, width]) : new Float32Array(0);
  const labelMap = new Uint8Array(height * width);
  const instances: PredictedInstance[] = [];
  let wsum = 0, usum = 0, umax = 0;
  for (let i = 0; i < d; i++) { // detections come in decreasing score order
    const prob = pasted.subarray(i * height * width, (i + 1) * height * width);
    const label = det.labels[i];
    const binary = new Uint8Array(height * width);
    let area = 0;
    for (let p = 0; p < binary.length; p++) {
      if (prob[p] > segmenter.config.maskHead.maskThresh) {
        binary[p] = 1;
        area++;
        if (labelMap[p] === 0) labelMap[p] = label;
      }
    }
    const u = detectionUncertainty(det.scores[i], det.maskProbs!.subarray(i * m * m, (i + 1) * m * m));
    wsum += det.scores[i];
    usum += det.scores[i] * u;
    umax = Math.max(umax, u);
    const className = segmenter.config.classNames[label - 1];
    const box: [number, number, number, number] = [boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]];
    const polygon = opts.polygons === false ? [] : maskPolygons(binary, width, height, box, className);
    instances.push({ class: className, label, score: det.scores[i], box, polygon, area, uncertainty: u, ...(opts.keepMasks ? { mask: binary } : {}) });
  }
  const out: SlicePrediction = { instances, labelMap, width, height, uncertainty: { detection: wsum > 0 ? usum / wsum : 0, detectionMax: umax } };
  if (classifier) {
    const cin = prepareInput(slice, classifier.config.segmenter);
    try {
      const probs = classifier.predictProbs(cin);
      out.sliceProbabilities = Object.fromEntries(classifier.config.classNames.map((c, k) => [c, probs[k]]));
      Object.assign(out.uncertainty, classUncertainty(probs));
    } finally {
      cin.image.dispose();
    }
  }
  return out;
}

/** Traces a binary mask inside its box (plus a margin) and shifts the rings to image coordinates. */
function maskPolygons(binary: Uint8Array, width: number, height: number, box: number[], className: string) {
  const x0 = Math.max(0, Math.floor(box[0]) - 2), y0 = Math.max(0, Math.floor(box[1]) - 2);
  const x1 = Math.min(width, Math.ceil(box[2]) + 2), y1 = Math.min(height, Math.ceil(box[3]) + 2);
  const w = x1 - x0, h = y1 - y0;
  if (w <= 0 || h <= 0) return [];
  const crop = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) crop.set(binary.subarray((y0 + y) * width + x0, (y0 + y) * width + x1), y * w);
  const shift = (ring: Point[]): Point[] => ring.map(([x, y]) => [x + x0, y + y0]);
  return traceClass(crop, w, h, 1, className as LesionClass).map((p) => ({ points: shift(p.points), holes: p.holes.map(shift) }));
}

