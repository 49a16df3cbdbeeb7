import { describe, expect, it } from 'vitest';
import { diversify, rankCandidates } from './rank';
import type { SliceCandidate } from './types';

const slice = (id: string, studyId: string, index: number, signals?: SliceCandidate['signals']): SliceCandidate => ({ sliceId: id, studyId, index, signals });

describe('acquisition strategies on hand-made scores', () => {
  const candidates = [
    slice('sure', 'A', 0, { leastConfidence: 0.05, margin: 0.1, entropy: 0.1, segmentation: 0.9 }),
    slice('torn', 'B', 0, { leastConfidence: 0.45, margin: 0.95, entropy: 0.99, segmentation: 0.1 }),
    slice('vague', 'C', 0, { leastConfidence: 0.6, margin: 0.7, entropy: 0.9, segmentation: 0.5 }),
    slice('unscored', 'D', 0),
  ];
  const order = (strategy: Parameters<typeof rankCandidates>[1]) => rankCandidates(candidates, strategy).map((c) => c.sliceId);

  it('orders by each signal, most uncertain first, unscored slices last', () => {
    expect(order('least-confidence')).toEqual(['vague', 'torn', 'sure', 'unscored']);
    expect(order('margin')).toEqual(['torn', 'vague', 'sure', 'unscored']);
    expect(order('entropy')).toEqual(['torn', 'vague', 'sure', 'unscored']);
    expect(order('segmentation')).toEqual(['sure', 'vague', 'torn', 'unscored']);
    // combined = mean(entropy, segmentation): vague 0.70, torn 0.545, sure 0.50.
    expect(order('combined')).toEqual(['vague', 'torn', 'sure', 'unscored']);
  });

  it('random is a reproducible shuffle for a seed, different for another seed', () => {
    const many = Array.from({ length: 30 }, (_, k) => slice(`s${k}`, `study${k}`, 0));
    const a = rankCandidates(many, 'random', { seed: 7 }).map((c) => c.sliceId);
    expect(rankCandidates(many, 'random', { seed: 7 }).map((c) => c.sliceId)).toEqual(a);
    expect(rankCandidates(many, 'random', { seed: 8 }).map((c) => c.sliceId)).not.toEqual(a);
    expect([...a].sort()).toEqual(many.map((c) => c.sliceId).sort());
  });
});

describe('diversity rule', () => {
  it('spreads a batch across studies and keeps neighbouring slices of one scan apart', () => {
    // Ranked: five neighbouring slices of study A first, then B and C.
    const ranked = [slice('a10', 'A', 10), slice('a11', 'A', 11), slice('a12', 'A', 12), slice('a20', 'A', 20), slice('b5', 'B', 5), slice('c1', 'C', 1), slice('b6', 'B', 6)];
    const out = diversify(ranked, { batchSize: 4, minIndexGap: 3 }).map((c) => c.sliceId);
    // Batch 1: best of A, then B and C (round-robin caps A at 2 of 4, a11/a12 are neighbours of a10); a20 fills.
    expect(out.slice(0, 4)).toEqual(['a10', 'a20', 'b5', 'c1']);
    expect(out.slice(4)).toEqual(['a11', 'b6', 'a12']);
    expect([...out].sort()).toEqual(ranked.map((c) => c.sliceId).sort());
  });

  it('defers neighbours of slices already leased to someone', () => {
    const out = diversify([slice('a11', 'A', 11), slice('b1', 'B', 1)], { batchSize: 2, minIndexGap: 3, alreadyServed: [{ studyId: 'A', index: 10 }] });
    expect(out.map((c) => c.sliceId)).toEqual(['b1', 'a11']);
  });
});
