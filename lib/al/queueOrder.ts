/**
 * The annotation queue's order under active learning: the queue service (lib/queue) asks a QueueOrder for
 * candidates; this one scores the available slices with the admin's strategy from the active models' latest
 * predictions and spreads them with the diversity rule. The editor and the lease logic do not change.
 */
import type { Db } from '@/lib/db/client';
import { availableTo, type QueueOrder } from '@/lib/queue/order';
import { ringArea, type Point } from '@/lib/imaging/contours';
import { rankCandidates, type RankOptions } from './rank';
import { getAlSettings } from './settings';
import { STRATEGIES, type StrategyName } from './strategies';
import type { SliceCandidate, UncertaintySignals } from './types';

/** Above this many available slices, only the best-scored ones and the oldest unscored ones are ranked. */
const MAX_RANKED = 5_000;

export async function activeModelIds(db: Db): Promise<string[]> {
  return (await db.modelVersion.findMany({ where: { active: true }, select: { id: true } })).map((m) => m.id);
}

/** Merges the signals of the active segmenter and classifier predictions of each slice. */
export async function loadCandidates(db: Db, userId: string, now: Date, exclude: string[]): Promise<SliceCandidate[]> {
  const active = await activeModelIds(db);
  const slices = await db.slice.findMany({
    where: availableTo(userId, now, exclude),
    orderBy: [{ study: { createdAt: 'asc' } }, { studyId: 'asc' }, { index: 'asc' }],
    take: MAX_RANKED,
    select: { id: true, studyId: true, index: true, predictions: { where: { modelVersionId: { in: active } }, select: { uncertainty: true, embedding: true } } },
  });
  return slices.map((s) => {
    const signals = s.predictions.reduce<UncertaintySignals | undefined>((acc, p) => ({ ...(acc ?? {}), ...(p.uncertainty as UncertaintySignals) }), undefined);
    const embedding = s.predictions.find((p) => Array.isArray(p.embedding))?.embedding as number[] | undefined;
    return { sliceId: s.id, studyId: s.studyId, index: s.index, signals, ...(embedding ? { embedding } : {}) };
  });
}

/**
 * What the accepted slices look like, for strategies that compare the pool with the labels: their descriptors
 * (core-set; stored when the active segmenter scored them, before they were accepted) and their lesion area per
 * class (class-balanced).
 */
export async function labelledContext(db: Db, strategy: StrategyName): Promise<RankOptions['labelled']> {
  const needs = STRATEGIES[strategy].needs;
  const out: NonNullable<RankOptions['labelled']> = {};
  if (needs.includes('embedding')) {
    const rows = await db.prediction.findMany({
      where: { modelVersionId: { in: await activeModelIds(db) }, slice: { status: 'ACCEPTED' } },
      take: MAX_RANKED, select: { embedding: true },
    });
    out.labelledEmbeddings = rows.flatMap((r) => (Array.isArray(r.embedding) ? [r.embedding as number[]] : []));
  }
  if (needs.includes('epistemic')) {
    const polygons = await db.annotation.findMany({ where: { status: 'ACCEPTED', deletedAt: null, source: { not: 'MODEL' } }, select: { lesionClass: true, points: true } });
    out.labelledClassPixels = {};
    for (const p of polygons) out.labelledClassPixels[p.lesionClass] = (out.labelledClassPixels[p.lesionClass] ?? 0) + ringArea(p.points as Point[]);
  }
  return out;
}

/** Slices leased to other people right now: the diversity rule keeps their neighbours for later. */
async function servedSlices(db: Db, userId: string, now: Date) {
  const leases = await db.sliceLease.findMany({ where: { expiresAt: { gt: now }, userId: { not: userId } }, select: { slice: { select: { studyId: true, index: true } } } });
  return leases.map((l) => l.slice);
}

export function strategyOrder(strategy?: StrategyName): QueueOrder {
  return async (db, { userId, now, limit, exclude }) => {
    const chosen = strategy ?? ((await getAlSettings(db)).strategy as StrategyName);
    const candidates = await loadCandidates(db, userId, now, exclude);
    const ranked = rankCandidates(candidates, chosen, { alreadyServed: await servedSlices(db, userId, now), seed: now.getUTCHours() + 1, labelled: await labelledContext(db, chosen) });
    return ranked.slice(0, limit).map((c) => c.sliceId);
  };
}
