import { describe, expect, it } from 'vitest';
import { CONSTANT_LR, learningRateAt } from './schedule';

describe('learningRateAt', () => {
  it('is the base rate throughout a constant schedule', () => {
    for (const [s, p] of [[0, 0], [10, 0.5], [1e6, 1]]) expect(learningRateAt(1e-3, CONSTANT_LR, s, p)).toBe(1e-3);
  });

  it('warms up linearly over the first steps', () => {
    const s = { kind: 'constant' as const, warmupSteps: 4, finalFactor: 1 };
    expect([0, 1, 2, 3, 4, 100].map((k) => learningRateAt(1, s, k, 0))).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
  });

  it('decays along a half cosine from lr to finalFactor·lr over the budget', () => {
    const s = { kind: 'cosine' as const, warmupSteps: 0, finalFactor: 0.1 };
    expect(learningRateAt(2, s, 50, 0)).toBeCloseTo(2);
    expect(learningRateAt(2, s, 50, 0.5)).toBeCloseTo(2 * (0.1 + 0.9 * 0.5));
    expect(learningRateAt(2, s, 50, 1)).toBeCloseTo(0.2);
    // progress beyond the budget (a last step after the clock ran out) stays at the floor
    expect(learningRateAt(2, s, 50, 1.7)).toBeCloseTo(0.2);
    const rates = [0, 0.1, 0.3, 0.6, 0.9].map((p) => learningRateAt(1, s, 50, p));
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1]);
  });

  it('multiplies warm-up and decay', () => {
    const s = { kind: 'cosine' as const, warmupSteps: 10, finalFactor: 0 };
    expect(learningRateAt(1, s, 4, 0.5)).toBeCloseTo(0.5 * 0.5);
  });
});
