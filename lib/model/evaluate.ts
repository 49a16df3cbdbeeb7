/**
 * Evaluation of trained models on labelled slices, through lib/model/metrics:
 *   - segmenter: COCO mask AP@0.5, AP@0.75, mAP@[.5:.95] per class and mean (ground-truth instances are
 *     the connected components of each class, with the same minimum area as in training), and Dice per
 *     class (pooled over all pixels of the set, and the mean over slices), at the original slice size;
 *   - classifier: per-class sensitivity and precision, overall accuracy, confusion matrix (the paper's).
 * Each report has a flat `summary` for the CLI's final JSON line and the model manifest.
 */
import type { LabelledSlice } from './data/datasets';
import { instancesFromLabelMap, labelsForMaskType } from './data/instances';
import type { MaskRcnn } from './maskRcnn';
import { classificationMetrics, dicePerClass, maskAP, type DetectedInstance, type GroundTruthInstance, type LabelMap } from './metrics';
import { predict } from './predict';

type PerClass = Record<string, number | null>;

export interface SegmentationReport {
  maskAP50: PerClass;
  maskAP75: PerClass;
  mAP: PerClass;
  /** Pooled Dice per class and their mean. */
  dice: PerClass;
  /** Mean over slices of each slice's Dice. */
  diceMeanOverSlices: PerClass;
  numSlices: number;
  summary: Record<string, unknown>;
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 1e4) / 1e4);

export async function evaluateSegmenter(model: MaskRcnn, slices: LabelledSlice[]): Promise<SegmentationReport> {
  const cfg = model.config;
  const names = cfg.classNames;
  const classes = names.map((_, i) => i + 1);
  const detections: DetectedInstance[] = [];
  const groundTruths: GroundTruthInstance[] = [];
  const predMaps: LabelMap[] = [];
  const gtMaps: LabelMap[] = [];
  for (const s of slices) {
    const { height, width } = s.image;
    const gt = labelsForMaskType(s.labels, s.mode, cfg.maskType);
    const inst = instancesFromLabelMap(gt, height, width, names.length, cfg.minInstanceArea);
    for (let i = 0; i < inst.labels.length; i++) {
      groundTruths.push({ imageId: s.id, classId: inst.labels[i], mask: { width, height, data: inst.masks.subarray(i * height * width, (i + 1) * height * width) } });
    }
    const p = predict(model, s.image, undefined, { keepMasks: true, polygons: false });
    for (const d of p.instances) detections.push({ imageId: s.id, classId: d.label, score: d.score, mask: { width, height, data: d.mask! } });
    predMaps.push({ width, height, data: p.labelMap });
    gtMaps.push({ width, height, data: gt });
  }
  const ap = maskAP(detections, groundTruths, { classes, maxDetectionsPerImage: cfg.roiHeads.detectionsPerImg });
  const dice = dicePerClass(predMaps, gtMaps, classes);
  const perClass = (get: (k: number) => number | null, mean: number | null): PerClass => ({
    ...Object.fromEntries(names.map((n, k) => [n, round(get(k))])), mean: round(mean),
  });
  const report = {
    maskAP50: perClass((k) => ap.perClass[k].ap50, ap.mean.ap50),
    maskAP75: perClass((k) => ap.perClass[k].ap75, ap.mean.ap75),
    mAP: perClass((k) => ap.perClass[k].map, ap.mean.map),
    dice: perClass((k) => dice.perClass[k].pooled, dice.meanPooled),
    diceMeanOverSlices: perClass((k) => dice.perClass[k].meanOverSlices, dice.meanOverSlices),
    numSlices: slices.length,
  };
  return { ...report, summary: { ...report } };
}

export interface ClassificationReport {
  classNames: string[];
  sensitivity: PerClass;
  precision: PerClass;
  accuracy: number;
  /** confusion[true][predicted]. */
  confusion: number[][];
  n: number;
  summary: Record<string, unknown>;
}

/** Labels are class indices into `classNames`. */
export function classificationReport(truth: number[], predicted: number[], classNames: string[]): ClassificationReport {
  const m = classificationMetrics(truth, predicted, classNames.map((_, i) => i));
  const report = {
    classNames,
    sensitivity: Object.fromEntries(classNames.map((c, i) => [c, round(m.perClass[i].sensitivity)])),
    precision: Object.fromEntries(classNames.map((c, i) => [c, round(m.perClass[i].precision)])),
    accuracy: round(m.overallAccuracy)!,
    confusion: m.confusion,
    n: m.n,
  };
  return { ...report, summary: { ...report } };
}
