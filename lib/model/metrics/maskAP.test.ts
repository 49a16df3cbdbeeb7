import { describe, expect, it } from 'vitest';
import type { BinaryMask } from './mask';
import { COCO_IOU_THRESHOLDS, interpolatedAP, maskAP, type DetectedInstance, type GroundTruthInstance } from './maskAP';

/** A 1-pixel-high mask, 40 wide, inside on [from, to) for each range: IoUs become interval arithmetic. */
function strip(...ranges: [number, number][]): BinaryMask {
  const data = new Uint8Array(40);
  for (const [from, to] of ranges) data.fill(1, from, to);
  return { width: 40, height: 1, data };
}
const gt = (mask: BinaryMask, classId = 1, imageId = 'a'): GroundTruthInstance => ({ imageId, classId, mask });
const det = (mask: BinaryMask, score: number, classId = 1, imageId = 'a'): DetectedInstance => ({ imageId, classId, score, mask });

describe('maskAP', () => {
  it('thresholds are 0.50:0.05:0.95', () => {
    expect(COCO_IOU_THRESHOLDS).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
  });

  it('one GT, a detection at IoU 0.6 and a miss: AP@0.5 = 1, AP@0.75 = 0, mAP = 3/10', () => {
    // GT [0,10); d1 [0,6) → IoU 6/10 = 0.6 matches at 0.50, 0.55, 0.60 only; d2 [20,25) misses, ranked after d1.
    // At those 3 thresholds the ranking is TP, FP: precision at every recall point is 1 → AP 1; elsewhere 0.
    const r = maskAP([det(strip([0, 6]), 0.9), det(strip([20, 25]), 0.8)], [gt(strip([0, 10]))]);
    const c = r.perClass[0];
    expect(c.apPerThreshold).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(c.ap50).toBe(1);
    expect(c.ap75).toBe(0);
    expect(c.map).toBeCloseTo(0.3, 12);
    expect(c).toMatchObject({ numGroundTruth: 1, numDetections: 2 });
  });

  it('a false positive ranked above the true positive halves the AP', () => {
    // Ranking FP (0.9), TP (0.5): recall [0, 1], precision [0, 1/2] → made non-increasing: [1/2, 1/2];
    // all 101 recall points read 1/2 → AP 0.5 at every threshold (the TP has IoU 1).
    const r = maskAP([det(strip([20, 30]), 0.9), det(strip([0, 10]), 0.5)], [gt(strip([0, 10]))]);
    expect(r.perClass[0].apPerThreshold).toEqual(new Array(10).fill(0.5));
    expect(r.mean).toEqual({ ap50: 0.5, ap75: 0.5, map: 0.5 });
  });

  it('101-point interpolation with two GT: (51·1 + 50·2/3) / 101', () => {
    // TP (recall 1/2, precision 1), FP (1/2, 1/2), TP (1, 2/3) → interpolated precision 1 for recall 0..0.50
    // (51 points) and 2/3 for 0.51..1 (50 points).
    const r = maskAP(
      [det(strip([0, 10]), 0.9), det(strip([30, 35]), 0.8), det(strip([15, 25]), 0.7)],
      [gt(strip([0, 10])), gt(strip([15, 25]))],
    );
    expect(r.perClass[0].ap50).toBeCloseTo((51 + (50 * 2) / 3) / 101, 12);
  });

  it('matches greedily by score: the first detection takes the GT even if a later one overlaps it better', () => {
    // GT [0,10); d1 (0.9) [0,6) IoU 0.6; d2 (0.8) [0,10) IoU 1.
    // t ≤ 0.60: d1 takes the GT, d2 is a duplicate → TP, FP → AP 1.
    // t ≥ 0.65: d1 fails, d2 matches → FP, TP → AP 0.5.  mAP = (3·1 + 7·0.5) / 10 = 0.65.
    const r = maskAP([det(strip([0, 6]), 0.9), det(strip([0, 10]), 0.8)], [gt(strip([0, 10]))]);
    expect(r.perClass[0].apPerThreshold).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(r.perClass[0].map).toBeCloseTo(0.65, 12);
  });

  it('matches only within the same image, and caps detections per image', () => {
    const shifted = maskAP([det(strip([0, 10]), 0.9, 1, 'b')], [gt(strip([0, 10]), 1, 'a')]);
    expect(shifted.perClass[0].ap50).toBe(0);
    // FP (0.9) then TP (0.5): AP 0.5 with every detection, 0 when only the best one per image counts.
    const dets = [det(strip([20, 30]), 0.9), det(strip([0, 10]), 0.5)];
    expect(maskAP(dets, [gt(strip([0, 10]))]).perClass[0].ap50).toBe(0.5);
    expect(maskAP(dets, [gt(strip([0, 10]))], { maxDetectionsPerImage: 1 }).perClass[0].ap50).toBe(0);
  });

  it('a class without GT has no AP and stays out of the mean; a class with GT but no detection counts 0', () => {
    // class 1: perfect (AP 1); class 2: only a detection, no GT (null, excluded); class 3: a GT never found (0).
    const r = maskAP([det(strip([0, 10]), 0.9, 1), det(strip([0, 10]), 0.9, 2)], [gt(strip([0, 10]), 1), gt(strip([20, 30]), 3)]);
    expect(r.perClass.map((c) => [c.classId, c.ap50])).toEqual([
      [1, 1],
      [2, null],
      [3, 0],
    ]);
    expect(r.mean.ap50).toBe(0.5); // (1 + 0) / 2, not (1 + 0 + 0) / 3
    const onlyGood = maskAP([det(strip([0, 10]), 0.9, 1), det(strip([0, 10]), 0.9, 2)], [gt(strip([0, 10]), 1)]);
    expect(onlyGood.mean).toEqual({ ap50: 1, ap75: 1, map: 1 });
  });

  it('reports the requested classes in order, null means when no class has GT', () => {
    const r = maskAP([], [], { classes: [2, 1] });
    expect(r.perClass.map((c) => c.classId)).toEqual([2, 1]);
    expect(r.mean).toEqual({ ap50: null, ap75: null, map: null });
  });

  it('interpolatedAP needs ground truth', () => {
    expect(() => interpolatedAP([true], 0)).toThrow('at least one ground-truth');
  });
});
