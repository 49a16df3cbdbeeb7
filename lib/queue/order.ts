/**
 * The order in which the queue offers slices. One interface, so the active-learning strategies (issue 4) can
 * reorder the queue without the editor or the lease logic knowing: a QueueOrder yields candidate slice ids, best
 * first, among slices that still need labelling and are not leased to someone else.
 */
import type { Db } from '@/lib/db/client';

export interface QueueCandidatesRequest {
  userId: string;
  now: Date;
  /** How many candidates to return at most. */
  limit: number;
  /** Candidates to leave out (already tried in this request). */
  exclude: string[];
}

export type QueueOrder = (db: Db, request: QueueCandidatesRequest) => Promise<string[]>;

/** Statuses the queue serves: never labelled, or started and left. */
export const QUEUE_STATUSES = ['UNLABELLED', 'IN_PROGRESS'] as const;

/** Prisma filter for slices the queue may offer to `userId`. */
export function availableTo(userId: string, now: Date, exclude: string[]) {
  return {
    status: { in: [...QUEUE_STATUSES] },
    id: { notIn: exclude },
    OR: [{ lease: { is: null } }, { lease: { is: { expiresAt: { lte: now } } } }, { lease: { is: { userId } } }],
  };
}

/** The default order: import order (study by study, slice index within a study). */
export const importOrder: QueueOrder = async (db, { userId, now, limit, exclude }) => {
  const rows = await db.slice.findMany({
    where: availableTo(userId, now, exclude),
    orderBy: [{ study: { createdAt: 'asc' } }, { studyId: 'asc' }, { index: 'asc' }],
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
};
