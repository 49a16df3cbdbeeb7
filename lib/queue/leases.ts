/**
 * Slice leases: while an annotator works on a slice it is theirs alone. A lease expires unless renewed (the editor
 * renews it with every save and a heartbeat), and is released on submit or skip. Annotators' writes check the lease
 * inside their transaction (lib/slices/sliceTransaction.ts), so a slice leased to someone else cannot be saved or
 * submitted by anyone but its holder (reviewers and admins are not bound by leases).
 *
 * Acquisition is atomic on both databases without locks: inserting the lease row relies on its primary key (one
 * lease per slice); taking over an existing row is a conditional update that only matches an expired lease or the
 * caller's own. Whoever's statement matches gets the slice; everyone else gets false.
 */
import type { Db } from '@/lib/db/client';

/** Long enough to think, short enough that an abandoned slice comes back to the queue soon. */
export const LEASE_MS = 10 * 60_000;

/** What lease functions need of a client: a Db or a transaction's client. */
export type LeaseClient = Pick<Db, 'sliceLease'>;

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/**
 * Takes the slice for `userId` (free, expired, or already theirs: renewed); false when someone else holds a live
 * lease. Inside a transaction on PostgreSQL a lost insert race aborts the transaction: the caller sees the P2002.
 */
export async function acquireLease(db: LeaseClient, sliceId: string, userId: string, now = new Date()): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + LEASE_MS);
  const taken = await db.sliceLease.updateMany({
    where: { sliceId, OR: [{ expiresAt: { lte: now } }, { userId }] },
    data: { userId, expiresAt },
  });
  if (taken.count === 1) return true;
  if (await db.sliceLease.findUnique({ where: { sliceId }, select: { sliceId: true } })) return false; // someone else's live lease
  try {
    await db.sliceLease.create({ data: { sliceId, userId, expiresAt } });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false; // someone else took it a moment ago
    throw error;
  }
}

/** Extends the caller's live lease; false when they do not hold it (expired and taken, or never had it). */
export async function renewLease(db: LeaseClient, sliceId: string, userId: string, now = new Date()): Promise<boolean> {
  const renewed = await db.sliceLease.updateMany({
    where: { sliceId, userId, expiresAt: { gt: now } },
    data: { expiresAt: new Date(now.getTime() + LEASE_MS) },
  });
  return renewed.count === 1;
}

/** Gives the caller's lease back; false when they held none. */
export async function releaseLease(db: LeaseClient, sliceId: string, userId: string): Promise<boolean> {
  return (await db.sliceLease.deleteMany({ where: { sliceId, userId } })).count > 0;
}

/** Who holds a live lease on the slice, if anyone. */
export async function leaseHolder(db: Db, sliceId: string, now = new Date()): Promise<{ userId: string; name: string; expiresAt: Date } | null> {
  const lease = await db.sliceLease.findUnique({ where: { sliceId }, select: { userId: true, expiresAt: true, user: { select: { name: true } } } });
  return lease && lease.expiresAt > now ? { userId: lease.userId, name: lease.user.name, expiresAt: lease.expiresAt } : null;
}
