import { createRng } from '@/lib/model/random';
import { STRATEGIES, type StrategyName } from './strategies';
import type { AcquisitionContext, SliceCandidate } from './types';

export interface RankOptions {
  seed?: number;
  /** Slices per batch that the diversity rule spreads across studies. */
  batchSize?: number;
  /** Slices of one study closer than this (in slice index) are not served in the same batch. */
  minIndexGap?: number;
  /** Slices already out (leased to someone): their neighbours wait for a later batch. */
  alreadyServed?: Pick<SliceCandidate, 'studyId' | 'index'>[];
  /** What the labelled slices look like, for the core-set and class-balanced strategies. */
  labelled?: Pick<AcquisitionContext, 'labelledEmbeddings' | 'labelledClassPixels'>;
}

/**
 * Orders candidates best first: by the strategy's score (unscored slices after the scored ones, in their given
 * order), then spread by the diversity rule; a strategy that orders whole batches itself (core-set) is its own
 * diversity rule.
 */
export function rankCandidates(candidates: SliceCandidate[], strategy: StrategyName, options: RankOptions = {}): SliceCandidate[] {
  const rng = createRng(options.seed ?? 1);
  const ctx: AcquisitionContext = { random: () => rng.next(), batchSize: options.batchSize ?? 16, ...options.labelled };
  const entry = STRATEGIES[strategy];
  if (entry.order) return entry.order(candidates, ctx);
  const score = entry.score!;
  const scored = candidates.map((c, order) => ({ c, order, s: score(c, ctx) }));
  scored.sort((a, b) => {
    const sa = a.s ?? -Infinity;
    const sb = b.s ?? -Infinity;
    return sb !== sa ? sb - sa : a.order - b.order;
  });
  return diversify(
    scored.map((x) => x.c),
    options,
  );
}

/**
 * The diversity rule: fills each batch round-robin over studies in rank order, never putting two slices of one
 * study within `minIndexGap` of each other (or of a slice already served) in the same batch. Slices that do not
 * fit a batch move to the next one, so nothing is dropped, only deferred.
 */
export function diversify<T extends Pick<SliceCandidate, 'studyId' | 'index'>>(ranked: T[], { batchSize = 16, minIndexGap = 3, alreadyServed = [] }: RankOptions = {}): T[] {
  const out: T[] = [];
  let pending = ranked.slice();
  let served = alreadyServed.slice();
  while (pending.length) {
    const batch: T[] = [];
    const deferred: T[] = [];
    const perStudy = new Map<string, number>();
    // Round-robin: a study's k-th slice is taken only after every study with pending slices had k-1.
    const studies = new Set(pending.map((p) => p.studyId)).size;
    const maxPerStudy = Math.max(1, Math.ceil(batchSize / studies));
    for (const cand of pending) {
      const tooClose = [...batch, ...served].some((b) => b.studyId === cand.studyId && Math.abs(b.index - cand.index) < minIndexGap);
      const count = perStudy.get(cand.studyId) ?? 0;
      if (batch.length < batchSize && !tooClose && count < maxPerStudy) {
        batch.push(cand);
        perStudy.set(cand.studyId, count + 1);
      } else deferred.push(cand);
    }
    if (batch.length === 0) {
      // Only neighbours of served slices are left: serve them in rank order rather than never.
      out.push(...deferred);
      break;
    }
    out.push(...batch);
    pending = deferred;
    served = [];
  }
  return out;
}
