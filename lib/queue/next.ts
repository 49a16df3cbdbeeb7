import type { Db } from '@/lib/db/client';
import { returnedSlices } from '@/lib/review/returned';
import { acquireLease } from './leases';
import { importOrder, QUEUE_STATUSES, type QueueOrder } from './order';

const BATCH = 16;
const MAX_ROUNDS = 20;

/**
 * Gives the annotator their next slice and leases it to them: the slice they already hold a live lease on (so a
 * reload resumes work), else a slice a reviewer returned to them (rejected work comes back first), else the first
 * candidate of the queue order whose lease they win. Two annotators asking at
 * once never get the same slice: the loser of a lease race simply moves on to the next candidate.
 */
export interface NextSliceOptions {
  order?: QueueOrder;
  /** Slices not to serve now (the one just skipped). */
  exclude?: string[];
  now?: Date;
}

export async function leaseNextSlice(db: Db, userId: string, { order = importOrder, exclude = [], now = new Date() }: NextSliceOptions = {}): Promise<string | null> {
  const held = await db.sliceLease.findFirst({
    where: { userId, expiresAt: { gt: now }, sliceId: { notIn: exclude }, slice: { status: { in: [...QUEUE_STATUSES] } } },
    orderBy: { createdAt: 'asc' },
    select: { sliceId: true },
  });
  if (held && (await acquireLease(db, held.sliceId, userId, now))) return held.sliceId;

  for (const { sliceId } of await returnedSlices(db, userId)) {
    if (!exclude.includes(sliceId) && (await acquireLease(db, sliceId, userId, now))) return sliceId;
  }

  const tried: string[] = [...exclude];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const candidates = await order(db, { userId, now, limit: BATCH, exclude: tried });
    if (candidates.length === 0) return null;
    for (const sliceId of candidates) {
      if (await acquireLease(db, sliceId, userId, now)) return sliceId;
      tried.push(sliceId);
    }
  }
  return null;
}
