import { kCenterGreedy } from '../kCenter';
import type { SliceCandidate } from '../types';
import { defineStrategy } from './strategy';

/** Picks beyond the batch are ordered by k-center too, up to this many (the rest keep their order: cost). */
const MIN_PICKS = 64;

/** Core-set: the slices that cover the pool's feature space best, farthest first from what is labelled. */
export const coreset = defineStrategy({
  name: 'coreset', description: 'slices least like anything labelled (k-center greedy on segmenter features)', needs: ['embedding'],
  order: (candidates, ctx) => {
    const withEmbedding = candidates.filter((c) => c.embedding?.length);
    const rest = candidates.filter((c) => !c.embedding?.length);
    const picks = kCenterGreedy(withEmbedding.map((c) => c.embedding!), ctx.labelledEmbeddings ?? [], Math.max(ctx.batchSize, MIN_PICKS));
    const picked = new Set(picks);
    const ordered: SliceCandidate[] = picks.map((i) => withEmbedding[i]);
    return [...ordered, ...withEmbedding.filter((_, i) => !picked.has(i)), ...rest];
  },
});
