/**
 * Slice leases: while an annotator works on a slice it is theirs alone. A lease expires unless renewed (the editor
 * renews it with every save and a heartbeat), and is released on submit or skip.
 *
 * Acquisition is atomic on both databases without locks: inserting the lease row relies on its primary key (one
 * lease per slice); taking over an existing row is a conditional update that only matches an expired lease or the
 * caller's own. Whoever's statement matches gets the slice; everyone else gets false.
 */
import type { Db } from '@/lib/db/client';

/** Long enough to think, short enough that an abandoned slice comes back to the queue soon. */
export const LEASE_MS = 10 * 60_000;

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

export async function acquireLease(db: Db, sliceId: string, userId: string, now = new Date()): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + LEASE_MS);
  const taken = await db.sliceLease.updateMany({
    where: { sliceId, OR: [{ expiresAt: { lte: now } }, { userId }] },
    data: { userId, expiresAt },
  });
  if (taken.count === 1) return true;
  try {
    await db.sliceLease.create({ data: { sliceId, userId, expiresAt } });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false; // someone else holds a live lease
    throw error;
  }
}

/** Extends the caller's live lease; false when they do not hold it (expired and taken, or never had it). */
export async function renewLease(db: Db, sliceId: string, userId: string, now = new Date()): Promise<boolean> {
  const renewed = await db.sliceLease.updateMany({
    where: { sliceId, userId, expiresAt: { gt: now } },
    data: { expiresAt: new Date(now.getTime() + LEASE_MS) },
  });
  return renewed.count === 1;
}

export async function releaseLease(db: Db, sliceId: string, userId: string): Promise<void> {
  await db.sliceLease.deleteMany({ where: { sliceId, userId } });
}

/** Who holds a live lease on the slice, if anyone. */
export async function leaseHolder(db: Db, sliceId: string, now = new Date()): Promise<{ userId: string; expiresAt: Date } | null> {
  const lease = await db.sliceLease.findUnique({ where: { sliceId }, select: { userId: true, expiresAt: true } });
  return lease && lease.expiresAt > now ? lease : null;
}
