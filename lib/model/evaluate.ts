/**
 * Evaluation of trained models on labelled slices, through lib/model/metrics:
 *   - segmenter: COCO mask AP@0.5, AP@0.75, mAP@[.5:.95] per class and mean over every detection
 *     (ground-truth instances are the connected components of each class, with the same minimum area as
 *     in training); Dice per class of what an annotator would be proposed — the detections at or above
 *     the proposal thresholds (given, else DEFAULT_THRESHOLD), pooled over every pixel of the set — and
 *     the thresholds that would maximise it on these slices with that best Dice (calibrate.ts), all at
 *     the original slice size;
 *   - classifier: per-class sensitivity and precision, overall accuracy, confusion matrix (the paper's).
 * Each report has a flat `summary` for the CLI's final JSON line and the model manifest.
 */
import { calibrateThresholds, DEFAULT_THRESHOLD, diceByScoreThreshold, type CalibrationSlice, type ClassThreshold, type ScoredRegion } from './calibrate';
import type { LabelledSlice } from './data/datasets';
import { instancesFromLabelMap, labelsForMaskType } from './data/instances';
import { classificationMetrics, maskAP, type DetectedInstance, type GroundTruthInstance } from './metrics';
import { predictWith, type Segmenter } from './predict';

type PerClass = Record<string, number | null>;

/**
 * 'classes': the model's own classes; 'merged': GGO and C counted as one "lesion" class (for data whose
 * masks do not tell them apart, e.g. the Zenodo set scored with a GGO/C model). Default: merged when any
 * slice has merged masks and the model has more than one class.
 */
export type EvaluationView = 'classes' | 'merged';

export interface SegmentationReport {
  view: EvaluationView;
  maskAP50: PerClass;
  maskAP75: PerClass;
  mAP: PerClass;
  /** Pooled Dice of the proposals at `thresholds`, per class and mean. */
  dice: PerClass;
  /** The proposal thresholds `dice` was measured at, by class name. */
  thresholds: Record<string, ClassThreshold>;
  /** The best pooled Dice any thresholds reach on these slices, and those thresholds (calibration). */
  bestDice: PerClass;
  bestThresholds: Record<string, ClassThreshold>;
  /** Proposals per slice at `thresholds`, and the share of slices with a lesion that get at least one. */
  proposalsPerSlice: number;
  lesionSlicesWithProposal: number | null;
  numSlices: number;
  summary: Record<string, unknown>;
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 1e4) / 1e4);
const mean = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
};

/** A region reduced to its proposal at `t`: null below the score threshold, else 1 inside the outline, 0 outside. */
function applyThreshold(d: ScoredRegion, t: ClassThreshold): ScoredRegion | null {
  if (d.score < t.score) return null;
  return { ...d, region: { ...d.region, values: d.region.values.map((v) => (v > t.mask ? 1 : 0)) } };
}

export async function evaluateSegmenter(
  model: Segmenter,
  slices: LabelledSlice[],
  opts: { view?: EvaluationView; thresholds?: Record<string, ClassThreshold> } = {},
): Promise<SegmentationReport> {
  const cfg = model.config;
  const view = opts.view ?? (cfg.classNames.length > 1 && slices.some((s) => s.mode === 'merged') ? 'merged' : 'classes');
  const names = view === 'merged' ? ['lesion'] : cfg.classNames;
  const classOf = view === 'merged' ? (label: number) => (label > 0 ? 1 : 0) : (label: number) => label;
  const classes = names.map((_, i) => i + 1);
  const thresholdOf = (modelLabel: number) => opts.thresholds?.[cfg.classNames[modelLabel - 1]] ?? DEFAULT_THRESHOLD;
  const detections: DetectedInstance[] = [];
  const groundTruths: GroundTruthInstance[] = [];
  const raw: CalibrationSlice[] = [];
  const proposed: CalibrationSlice[] = [];
  let proposals = 0, lesionSlices = 0, lesionSlicesProposed = 0;
  for (const s of slices) {
    const { height, width } = s.image;
    const gt = view === 'merged' ? s.labels.map(classOf) : labelsForMaskType(s.labels, s.mode, cfg.maskType);
    const inst = instancesFromLabelMap(gt, height, width, names.length, cfg.minInstanceArea);
    for (let i = 0; i < inst.labels.length; i++) {
      groundTruths.push({ imageId: s.id, classId: inst.labels[i], mask: { width, height, data: inst.masks.subarray(i * height * width, (i + 1) * height * width) } });
    }
    const p = await predictWith(model, s.image, undefined, { keepMasks: true, keepRegions: true, polygons: false });
    for (const d of p.instances) detections.push({ imageId: s.id, classId: classOf(d.label), score: d.score, mask: { width, height, data: d.mask! } });
    const regions = p.instances.map((d) => ({ classId: d.label, score: d.score, region: d.region! }));
    const kept = regions.flatMap((d) => applyThreshold(d, thresholdOf(d.classId)) ?? []);
    proposals += kept.length;
    if (inst.labels.length > 0) { lesionSlices++; if (kept.length > 0) lesionSlicesProposed++; }
    const collapse = (r: ScoredRegion[]) => r.map((d) => ({ ...d, classId: classOf(d.classId) }));
    raw.push({ width, height, truth: gt, regions: collapse(regions) });
    proposed.push({ width, height, truth: gt, regions: collapse(kept) });
  }
  const ap = maskAP(detections, groundTruths, { classes, maxDetectionsPerImage: cfg.roiHeads.detectionsPerImg });
  // proposals are already thresholded to 0/1: every one passes score 0 and mask 0.5
  const dice = classes.map((c) => diceByScoreThreshold(proposed, c, 0.5, [0]).dice[0]);
  const calibrated = calibrateThresholds(raw, classes);
  const byName = <T>(get: (k: number) => T) => Object.fromEntries(names.map((n, k) => [n, get(k)]));
  const perClass = (values: (number | null)[]): PerClass => ({ ...byName((k) => round(values[k])), mean: round(mean(values)) });
  const report = {
    view,
    maskAP50: perClass(ap.perClass.map((c) => c.ap50)),
    maskAP75: perClass(ap.perClass.map((c) => c.ap75)),
    mAP: perClass(ap.perClass.map((c) => c.map)),
    dice: perClass(dice),
    thresholds: view === 'merged' ? {} : byName((k) => thresholdOf(k + 1)),
    bestDice: perClass(classes.map((c) => calibrated.get(c)!.dice)),
    bestThresholds: byName((k) => { const { score, mask } = calibrated.get(k + 1)!; return { score, mask }; }),
    proposalsPerSlice: round(slices.length ? proposals / slices.length : 0)!,
    lesionSlicesWithProposal: round(lesionSlices ? lesionSlicesProposed / lesionSlices : null),
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
