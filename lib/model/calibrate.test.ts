import { describe, expect, it } from 'vitest';
import { calibrateThresholds, countProposals, diceByScoreThreshold, maxScoreMap, type CalibrationSlice, type ScoredRegion } from './calibrate';

/** A detection covering rows [y0,y1) × cols [x0,x1) of a 10×10 slice with one probability everywhere. */
function region(classId: number, score: number, [y0, y1, x0, x1]: number[], p: number | ((y: number, x: number) => number)): ScoredRegion {
  const values = new Float32Array((y1 - y0) * (x1 - x0));
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) values[(y - y0) * (x1 - x0) + (x - x0)] = typeof p === 'number' ? p : p(y, x);
  return { classId, score, region: { y0, y1, x0, x1, values } };
}

/** Truth: class 1 in columns 0–4, class 2 nowhere. */
function slice(regions: ScoredRegion[]): CalibrationSlice {
  const truth = new Uint8Array(100);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 5; x++) truth[y * 10 + x] = 1;
  return { width: 10, height: 10, regions, truth };
}

describe('proposal threshold calibration', () => {
  it('keeps the highest score of the detections covering each pixel', () => {
    const s = slice([region(1, 0.4, [0, 10, 0, 6], 0.9), region(1, 0.7, [0, 10, 3, 10], 0.9), region(2, 0.99, [0, 10, 0, 10], 0.9)]);
    const m = maxScoreMap(s, 1, 0.5);
    expect([m[0], m[3], m[9]]).toEqual([Math.fround(0.4), Math.fround(0.7), Math.fround(0.7)]);
    expect(maxScoreMap(s, 1, 0.95).every((v) => v === -1)).toBe(true);
  });

  it('gives the pooled Dice of every score threshold in one pass', () => {
    // a true positive (score 0.6) on the lesion and a false positive (score 0.3) beside it, 50 px each
    const s = slice([region(1, 0.6, [0, 10, 0, 5], 0.9), region(1, 0.3, [0, 10, 5, 10], 0.9)]);
    const { dice, truthPixels } = diceByScoreThreshold([s], 1, 0.5, [0.2, 0.5, 0.7]);
    expect(truthPixels).toBe(50);
    expect(dice[0]).toBeCloseTo((2 * 50) / (100 + 50)); // both proposed
    expect(dice[1]).toBeCloseTo(1); // only the true one
    expect(dice[2]).toBeCloseTo(0); // nothing
  });

  it('picks the score and mask thresholds of best Dice, the higher score on ties', () => {
    // the true detection's mask is 0.45 on the lesion and 0.35 on the column just outside it
    const tp = region(1, 0.6, [0, 10, 0, 6], (_y, x) => (x < 5 ? 0.45 : 0.35));
    const fp = region(1, 0.3, [0, 10, 7, 10], 0.9);
    const best = calibrateThresholds([slice([tp, fp])], [1], { scores: [0.1, 0.2, 0.4, 0.5, 0.6, 0.8], masks: [0.3, 0.4, 0.5] }).get(1)!;
    // score 0.4–0.6 drop the false positive (Dice 1 at mask 0.4); 0.6 is the highest of the tie
    expect(best).toEqual({ score: 0.6, mask: 0.4, dice: 1, proposals: 1 });
  });

  it('keeps the default for a class that never occurs, and counts proposals', () => {
    const s = slice([region(2, 0.8, [0, 2, 0, 2], 0.9), region(2, 0.2, [5, 6, 5, 6], 0.9)]);
    const c2 = calibrateThresholds([s], [2]).get(2)!;
    expect(c2).toEqual({ score: 0.5, mask: 0.5, dice: null, proposals: 1 });
    expect(countProposals([s, s], 2, 0.1)).toBe(4);
  });
});
