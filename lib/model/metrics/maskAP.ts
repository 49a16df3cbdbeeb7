/**
 * COCO-style mask average precision (the `segm` evaluation of pycocotools, area range "all", no crowd
 * regions), per class and averaged over the classes that have ground truth.
 *
 * Per image and class, detections (at most `maxDetectionsPerImage`, best scores first) are matched greedily
 * by score: each takes the unmatched ground-truth instance of highest IoU, if that IoU ≥ the threshold.
 * Then, over all images, detections are ranked by score; precision is made non-increasing in recall and
 * read at the 101 recall points 0, 0.01, …, 1 (the first rank reaching each recall; 0 if never reached);
 * AP is their mean. A class with ground truth and no detection has AP 0; a class without ground truth
 * has no AP (null) and stays out of the mean.
 */
import { measureMask, maskIoU, type BinaryMask, type MeasuredMask } from './mask';

export interface DetectedInstance {
  imageId: string | number;
  classId: number;
  score: number;
  mask: BinaryMask;
}

export interface GroundTruthInstance {
  imageId: string | number;
  classId: number;
  mask: BinaryMask;
}

export interface MaskAPOptions {
  /** Classes to report, in this order; default: every class seen in detections or ground truth, sorted. */
  classes?: number[];
  /** COCO's maxDets (per image and class, after sorting by score). Default 100. */
  maxDetectionsPerImage?: number;
}

export interface ClassAP {
  classId: number;
  numGroundTruth: number;
  numDetections: number;
  /** AP at each of `COCO_IOU_THRESHOLDS`; null when the class has no ground truth. */
  apPerThreshold: number[] | null;
  ap50: number | null;
  ap75: number | null;
  /** mAP@[.5:.95]: mean of apPerThreshold. */
  map: number | null;
}

export interface MaskAPResult {
  iouThresholds: number[];
  perClass: ClassAP[];
  /** Means over the classes that have ground truth; null when none has. */
  mean: { ap50: number | null; ap75: number | null; map: number | null };
}

/** 0.50, 0.55, …, 0.95 (rounded to two decimals so that an IoU of exactly 0.75 passes 0.75). */
export const COCO_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => Math.round(50 + 5 * i) / 100);
const RECALL_POINTS = 101;

/** For each IoU threshold, whether each detection (in the given order) matched a ground-truth instance. */
export function matchDetections(
  detections: MeasuredMask[],
  groundTruths: MeasuredMask[],
  thresholds: readonly number[] = COCO_IOU_THRESHOLDS,
): boolean[][] {
  const ious = detections.map((d) => groundTruths.map((g) => maskIoU(d, g)));
  return thresholds.map((t) => {
    const taken = new Array<boolean>(groundTruths.length).fill(false);
    return ious.map((row) => {
      let best = -1;
      let bestIoU = t;
      for (let g = 0; g < row.length; g++) {
        // `>=`: on a tie the later ground truth wins, as in pycocotools' evaluateImg
        if (!taken[g] && row[g] >= bestIoU) {
          best = g;
          bestIoU = row[g];
        }
      }
      if (best < 0) return false;
      taken[best] = true;
      return true;
    });
  });
}

/** 101-point interpolated AP from detections ranked by score (true = matched) and the ground-truth count. */
export function interpolatedAP(rankedMatches: boolean[], numGroundTruth: number): number {
  if (numGroundTruth <= 0) throw new Error('interpolatedAP needs at least one ground-truth instance');
  const n = rankedMatches.length;
  const recall = new Array<number>(n);
  const precision = new Array<number>(n);
  let tp = 0;
  for (let i = 0; i < n; i++) {
    if (rankedMatches[i]) tp++;
    recall[i] = tp / numGroundTruth;
    precision[i] = tp / (i + 1);
  }
  for (let i = n - 1; i > 0; i--) precision[i - 1] = Math.max(precision[i - 1], precision[i]);
  let sum = 0;
  let r = 0;
  for (let k = 0; k < RECALL_POINTS; k++) {
    const target = k / (RECALL_POINTS - 1);
    while (r < n && recall[r] < target) r++;
    if (r < n) sum += precision[r];
  }
  return sum / RECALL_POINTS;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function maskAP(
  detections: DetectedInstance[],
  groundTruths: GroundTruthInstance[],
  options: MaskAPOptions = {},
): MaskAPResult {
  const maxDets = options.maxDetectionsPerImage ?? 100;
  const classes =
    options.classes ?? [...new Set([...detections, ...groundTruths].map((i) => i.classId))].sort((a, b) => a - b);
  const thresholds = [...COCO_IOU_THRESHOLDS];
  const i50 = thresholds.indexOf(0.5);
  const i75 = thresholds.indexOf(0.75);

  const perClass = classes.map((classId): ClassAP => {
    const gtByImage = new Map<string | number, MeasuredMask[]>();
    for (const g of groundTruths) {
      if (g.classId !== classId) continue;
      const list = gtByImage.get(g.imageId) ?? [];
      list.push(measureMask(g.mask));
      gtByImage.set(g.imageId, list);
    }
    const detByImage = new Map<string | number, DetectedInstance[]>();
    for (const d of detections) {
      if (d.classId !== classId) continue;
      const list = detByImage.get(d.imageId) ?? [];
      list.push(d);
      detByImage.set(d.imageId, list);
    }
    const numGroundTruth = [...gtByImage.values()].reduce((n, l) => n + l.length, 0);
    // (score, matched per threshold) for every kept detection of every image
    const scored: { score: number; matched: boolean[] }[] = [];
    for (const [imageId, dets] of detByImage) {
      // stable sort, best first, then COCO's per-image cap
      const kept = dets
        .map((d, i) => ({ d, i }))
        .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
        .slice(0, maxDets)
        .map((e) => e.d);
      const matches = matchDetections(
        kept.map((d) => measureMask(d.mask)),
        gtByImage.get(imageId) ?? [],
        thresholds,
      );
      kept.forEach((d, k) => scored.push({ score: d.score, matched: matches.map((m) => m[k]) }));
    }
    const numDetections = scored.length;
    if (numGroundTruth === 0) {
      return { classId, numGroundTruth, numDetections, apPerThreshold: null, ap50: null, ap75: null, map: null };
    }
    // Stable, as pycocotools' mergesort: equal scores keep the order in which their images first appear
    // among the detections (pycocotools: sorted image ids), then their rank within the image.
    const ranked = scored.map((s, i) => ({ s, i })).sort((a, b) => b.s.score - a.s.score || a.i - b.i);
    const apPerThreshold = thresholds.map((_, t) =>
      interpolatedAP(
        ranked.map((r) => r.s.matched[t]),
        numGroundTruth,
      ),
    );
    return {
      classId,
      numGroundTruth,
      numDetections,
      apPerThreshold,
      ap50: apPerThreshold[i50],
      ap75: apPerThreshold[i75],
      map: mean(apPerThreshold),
    };
  });

  const withGT = perClass.filter((c) => c.apPerThreshold != null);
  return {
    iouThresholds: thresholds,
    perClass,
    mean: {
      ap50: mean(withGT.map((c) => c.ap50!)),
      ap75: mean(withGT.map((c) => c.ap75!)),
      map: mean(withGT.map((c) => c.map!)),
    },
  };
}
