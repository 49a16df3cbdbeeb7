import { describe, expect, it } from 'vitest';
import { aggregateCurves, labelsToReach, labelsToReachBaselineFinal, meanStd, type RoundResult } from './curves';

const row = (strategy: string, seed: number, labelled: number, maskAP50: number | null, dice: number | null): RoundResult => ({ strategy, seed, labelled, maskAP50, dice });

describe('meanStd', () => {
  it('uses the sample standard deviation, 0 for one value', () => {
    expect(meanStd([2, 4, 6])).toEqual({ mean: 4, std: 2 });
    expect(meanStd([0.3])).toEqual({ mean: 0.3, std: 0 });
    expect(Number.isNaN(meanStd([]).mean)).toBe(true);
  });
});

describe('aggregateCurves', () => {
  it('averages over seeds per strategy and labelled count, sorted by count, skipping nulls', () => {
    const curves = aggregateCurves([
      row('random', 2, 20, 0.4, 0.5),
      row('random', 1, 10, 0.1, 0.2),
      row('random', 2, 10, 0.3, null),
      row('random', 1, 20, 0.2, 0.3),
      row('segmentation', 1, 10, null, null),
      row('segmentation', 1, 20, 0.6, 0.7),
    ]);
    expect(Object.keys(curves)).toEqual(['random', 'segmentation']);
    expect(curves.random.maskAP50.map((p) => p.labelled)).toEqual([10, 20]);
    expect(curves.random.maskAP50[0].mean).toBeCloseTo(0.2);
    expect(curves.random.maskAP50[0].std).toBeCloseTo(Math.SQRT2 * 0.1);
    expect(curves.random.dice[0]).toEqual({ labelled: 10, mean: 0.2, std: 0, n: 1 });
    expect(curves.random.dice[1].mean).toBeCloseTo(0.4);
    // A point where no seed has a value is dropped rather than reported as 0.
    expect(curves.segmentation.maskAP50).toEqual([{ labelled: 20, mean: 0.6, std: 0, n: 1 }]);
  });
});

describe('labelsToReach', () => {
  const curve = [
    { labelled: 10, mean: 0.2 },
    { labelled: 20, mean: 0.4 },
    { labelled: 30, mean: 0.35 },
    { labelled: 40, mean: 0.6 },
  ];
  it('interpolates linearly between the last point below and the first at or above the target', () => {
    expect(labelsToReach(curve, 0.3)).toBeCloseTo(15);
    expect(labelsToReach(curve, 0.5)).toBeCloseTo(36); // 30 + (0.5 − 0.35) / 0.25 · 10: the dip at 30 comes first
    expect(labelsToReach(curve, 0.4)).toBe(20);
  });
  it('returns the first count when the curve starts above the target, null when it never gets there', () => {
    expect(labelsToReach(curve, 0.1)).toBe(10);
    expect(labelsToReach(curve, 0.61)).toBeNull();
    expect(labelsToReach([], 0)).toBeNull();
  });
});

describe('labelsToReachBaselineFinal', () => {
  it("gives each strategy's labels to reach random's final mean as a fraction of random's labels", () => {
    const curves = aggregateCurves([
      row('random', 1, 10, 0.1, 0.1), row('random', 1, 20, 0.2, 0.3), row('random', 1, 40, 0.4, 0.5),
      row('segmentation', 1, 10, 0.1, 0.1), row('segmentation', 1, 20, 0.5, 0.2), row('segmentation', 1, 40, 0.6, 0.4),
    ]);
    const ap = labelsToReachBaselineFinal(curves, 'maskAP50');
    expect(ap.random).toBe(1);
    expect(ap.segmentation).toBeCloseTo(17.5 / 40, 2); // 10 + (0.4 − 0.1) / 0.4 · 10 = 17.5 labels (fractions are rounded to 3 places)
    expect(labelsToReachBaselineFinal(curves, 'dice').segmentation).toBeNull();
    expect(() => labelsToReachBaselineFinal(curves, 'dice', 'entropy')).toThrow(/include entropy/);
  });
});

describe('per-class curves', () => {
  it('aggregate each class over seeds with its spread, leaving out rounds without a figure', () => {
    const r = (seed: number, labelled: number, c: number | null): RoundResult => ({ strategy: 'random', seed, labelled, maskAP50: 0.5, dice: 0.5, perClass: { C: { maskAP50: c, dice: c } } });
    const curves = aggregateCurves([r(1, 10, 0.1), r(2, 10, 0.3), r(3, 10, null), r(1, 20, 0.6)]);
    const c = curves.random.byClass!.C.maskAP50;
    expect(c.map((p) => p.labelled)).toEqual([10, 20]);
    expect(c[0].mean).toBeCloseTo(0.2, 10);
    expect(c[0].std).toBeCloseTo(Math.SQRT2 * 0.1, 10);
    expect(c[0].n).toBe(2);
    expect(aggregateCurves([row('random', 1, 10, 0.1, 0.1)]).random.byClass).toBeUndefined();
  });
});
