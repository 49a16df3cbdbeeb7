import { describe, expect, it } from 'vitest';
import { rankCandidates } from '../rank';
import type { SliceCandidate } from '../types';
import { needsRescore, STRATEGIES, STRATEGY_NAMES, strategyNamed } from '.';
import { rarityWeights } from './epistemic';

const cand = (id: string, extra: Partial<SliceCandidate> = {}): SliceCandidate => ({ sliceId: id, studyId: id, index: 0, ...extra });
const ids = (cs: SliceCandidate[]) => cs.map((c) => c.sliceId);

describe('strategy registry', () => {
  it('describes every strategy: a name, a description, the signals it reads, and a score or an order', () => {
    for (const name of STRATEGY_NAMES) {
      const s = STRATEGIES[name];
      expect(s.name).toBe(name);
      expect(s.description.length).toBeGreaterThan(10);
      expect(Boolean(s.score) !== Boolean(s.order)).toBe(true);
    }
    expect(strategyNamed('coreset').needs).toEqual(['embedding']);
    expect(() => strategyNamed('bogus')).toThrow(/Unknown strategy "bogus"/);
  });
  it('asks for a new score run only when the new strategy reads signals the old one did not', () => {
    expect(needsRescore('segmentation', 'epistemic')).toBe(true);
    expect(needsRescore('epistemic', 'class-balanced')).toBe(false);
    expect(needsRescore('coreset', 'random')).toBe(false);
    expect(needsRescore('random', 'coreset')).toBe(true);
  });
});

describe('epistemic strategies on hand-made signals', () => {
  const pool = [
    cand('calm', { signals: { epistemic: 0.1, epistemicByClass: { GGO: 0.2, C: 0.0 } } }),
    cand('ggo-doubt', { signals: { epistemic: 0.3, epistemicByClass: { GGO: 0.6, C: 0.0 } } }),
    cand('c-doubt', { signals: { epistemic: 0.2, epistemicByClass: { GGO: 0.0, C: 0.4 } } }),
    cand('unscored'),
  ];
  it('epistemic asks about the largest mean disagreement first, unscored slices last', () => {
    expect(ids(rankCandidates(pool, 'epistemic'))).toEqual(['ggo-doubt', 'c-doubt', 'calm', 'unscored']);
  });
  it('class-balanced lets the class rarest among the labels weigh most', () => {
    // labels are mostly GGO: C's disagreement counts more, so the C-doubt slice comes first
    const mostlyGgo = rankCandidates(pool, 'class-balanced', { labelled: { labelledClassPixels: { GGO: 950, C: 50 } } });
    expect(ids(mostlyGgo)[0]).toBe('c-doubt');
    // labels mostly C: GGO's doubt leads
    const mostlyC = rankCandidates(pool, 'class-balanced', { labelled: { labelledClassPixels: { GGO: 50, C: 950 } } });
    expect(ids(mostlyC)[0]).toBe('ggo-doubt');
  });
  it('rarity weights are inverse shares, equal without labels', () => {
    expect(rarityWeights(['GGO', 'C'], undefined)).toEqual({ GGO: 1, C: 1 });
    const w = rarityWeights(['GGO', 'C'], { GGO: 900, C: 100 });
    expect(w.C / w.GGO).toBeCloseTo((0.9 + 0.05) / (0.1 + 0.05), 6);
  });
});

describe('core-set strategy', () => {
  it('orders by k-center greedy over the embeddings, away from what is labelled; slices without one go last', () => {
    const pool = [cand('near', { embedding: [0.5, 0] }), cand('far', { embedding: [10, 0] }), cand('none'), cand('mid', { embedding: [5, 0] })];
    const order = ids(rankCandidates(pool, 'coreset', { batchSize: 2, labelled: { labelledEmbeddings: [[0, 0]] } }));
    expect(order).toEqual(['far', 'mid', 'near', 'none']);
  });
});
