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
import type { SegmenterConfig } from './config';
import type { DetectOptions, MaskRcnn, ModelInput, RawDetections } from './maskRcnn';
import { pasteMaskRegion, type PastedRegion } from './pasteMasks';
import type { ClassThreshold } from './calibrate';

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
  /** The pasted mask probabilities, only with `keepRegions`. */
  region?: PastedRegion;
}

export interface PredictOptions {
  /** Keep each instance's binary mask (evaluation). */
  keepMasks?: boolean;
  /** Keep each instance's pasted mask probabilities (threshold calibration). */
  keepRegions?: boolean;
  /** Trace polygons (default true; evaluation skips it). */
  polygons?: boolean;
  /**
   * Proposal thresholds by class name (calibrate.ts): detections scoring below their class's are left out of
   * the instances and the label map, and outlines follow its mask threshold. Without them every detection
   * of the config's score threshold is kept, outlined at maskHead.maskThresh (what AP is measured on).
   */
  thresholds?: Record<string, ClassThreshold>;
}

export interface SlicePrediction {
  instances: PredictedInstance[];
  /** Per-pixel label map (0 background, k = classNames[k-1]); higher-scoring instances win overlaps. */
  labelMap: Uint8Array;
  /** Per-pixel score of the instance whose label the pixel carries (0 on background). */
  scoreMap: Float32Array;
  width: number;
  height: number;
  /** From S, when a classifier is given: class name → probability (sigmoid). */
  sliceProbabilities?: Record<string, number>;
  /** Over every detection, whatever the thresholds. */
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

/**
 * A segmenter of either inference backend: MaskRcnn (TensorFlow.js, synchronous) or OnnxSegmenter
 * (onnxruntime). Both run lib/model/detectionFlow.ts between their networks.
 */
export interface Segmenter {
  config: SegmenterConfig;
  detect(input: ModelInput, opts?: DetectOptions): RawDetections | Promise<RawDetections>;
  /** The slice descriptor for core-set diversity: the deepest RoI level of the pyramid, averaged over the image. */
  embed(input: ModelInput): Float32Array | Promise<Float32Array>;
}

/** predict() on the TensorFlow.js model (synchronous: training-time callers run inside tf scopes). */
export function predict(segmenter: MaskRcnn, slice: GreySlice, classifier?: CovidCtMaskNet, opts: PredictOptions = {}): SlicePrediction {
  const input = prepareInput(slice, segmenter.config);
  let det: RawDetections;
  try {
    det = segmenter.detect(input, { withMasks: true });
  } finally {
    input.image.dispose();
  }
  return slicePrediction(segmenter.config, det, input.imageHW, slice, classifier, opts);
}

/** predict() on whichever backend the segmenter runs (the product's score jobs, predict and eval). */
export async function predictWith(segmenter: Segmenter, slice: GreySlice, classifier?: CovidCtMaskNet, opts: PredictOptions = {}): Promise<SlicePrediction> {
  const input = prepareInput(slice, segmenter.config);
  let det: RawDetections;
  try {
    det = await segmenter.detect(input, { withMasks: true });
  } finally {
    input.image.dispose();
  }
  return slicePrediction(segmenter.config, det, input.imageHW, slice, classifier, opts);
}

/** Detections (resized-image pixels) → the slice's instances, label map and uncertainty: pasting, thresholds, outlines. */
function slicePrediction(config: SegmenterConfig, det: RawDetections, imageHW: [number, number], slice: GreySlice, classifier: CovidCtMaskNet | undefined, opts: PredictOptions): SlicePrediction {
  const { height, width } = slice;
  const boxes = boxesToOriginal(det.boxes, imageHW, [height, width]);
  const m = config.maskHead.resolution;
  const labelMap = new Uint8Array(height * width);
  const scoreMap = new Float32Array(height * width);
  const instances: PredictedInstance[] = [];
  let wsum = 0, usum = 0, umax = 0;
  for (let i = 0; i < det.scores.length; i++) { // detections come in decreasing score order
    const score = det.scores[i];
    const probs = det.maskProbs!.subarray(i * m * m, (i + 1) * m * m);
    const u = detectionUncertainty(score, probs);
    wsum += score;
    usum += score * u;
    umax = Math.max(umax, u);
    const label = det.labels[i];
    const className = config.classNames[label - 1];
    const threshold = opts.thresholds?.[className];
    if (threshold && score < threshold.score) continue;
    const box: [number, number, number, number] = [boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]];
    const region = pasteMaskRegion(probs, box, [height, width]);
    const inside = binaryRegion(region, threshold?.mask ?? config.maskHead.maskThresh);
    const rw = region.x1 - region.x0;
    let area = 0;
    const mask = opts.keepMasks ? new Uint8Array(height * width) : undefined;
    for (let y = region.y0; y < region.y1; y++) {
      for (let x = region.x0; x < region.x1; x++) {
        if (!inside[(y - region.y0) * rw + (x - region.x0)]) continue;
        const p = y * width + x;
        area++;
        if (mask) mask[p] = 1;
        if (labelMap[p] === 0) {
          labelMap[p] = label;
          scoreMap[p] = score;
        }
      }
    }
    const polygon = opts.polygons === false ? [] : regionPolygons(region, inside, className);
    instances.push({ class: className, label, score, box, polygon, area, uncertainty: u, ...(mask ? { mask } : {}), ...(opts.keepRegions ? { region } : {}) });
  }
  const out: SlicePrediction = { instances, labelMap, scoreMap, width, height, uncertainty: { detection: wsum > 0 ? usum / wsum : 0, detectionMax: umax } };
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

function binaryRegion(region: PastedRegion, threshold: number): Uint8Array {
  const out = new Uint8Array(region.values.length);
  for (let i = 0; i < out.length; i++) out[i] = region.values[i] > threshold ? 1 : 0;
  return out;
}

/** Traces a thresholded mask region (with a one-pixel empty border, so rings close) in image coordinates. */
function regionPolygons(region: PastedRegion, inside: Uint8Array, className: string) {
  const rw = region.x1 - region.x0, rh = region.y1 - region.y0;
  if (rw <= 0 || rh <= 0) return [];
  const w = rw + 2, h = rh + 2;
  const crop = new Uint8Array(w * h);
  for (let y = 0; y < rh; y++) crop.set(inside.subarray(y * rw, (y + 1) * rw), (y + 1) * w + 1);
  const x0 = region.x0 - 1, y0 = region.y0 - 1;
  const shift = (ring: Point[]): Point[] => ring.map(([x, y]) => [x + x0, y + y0]);
  return traceClass(crop, w, h, 1, className as LesionClass).map((p) => ({ points: shift(p.points), holes: p.holes.map(shift) }));
}
