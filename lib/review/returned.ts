/**
 * Slices a reviewer sent back: rejected work stays its annotator's, first in their queue, listed with the
 * reviewer's comment on the annotate page and as "Rejected" in their history, until they submit it again.
 * A slice is returned when it is in progress again, its last review is a rejection, and the person it returns to
 * is the one who submitted it.
 */
import type { Db } from '@/lib/db/client';

export interface ReturnedSlice {
  sliceId: string;
  studyKey: string;
  index: number;
  comment: string | null;
  reviewer: string | null;
  rejectedAt: Date;
}

/** The annotator's returned slices, oldest rejection first (the order they come back in). */
export async function returnedSlices(db: Db, userId: string, take = 100): Promise<ReturnedSlice[]> {
  const rows = await db.slice.findMany({
    where: { status: 'IN_PROGRESS', submittedById: userId, reviews: { some: { action: 'REJECT' } } },
    take,
    select: {
      id: true,
      index: true,
      study: { select: { scanKey: true } },
      reviews: { orderBy: { createdAt: 'desc' }, take: 1, select: { action: true, comment: true, createdAt: true, reviewer: { select: { name: true } } } },
    },
  });
  return rows
    .filter((r) => r.reviews[0]?.action === 'REJECT')
    .map((r) => ({ sliceId: r.id, studyKey: r.study.scanKey, index: r.index, comment: r.reviews[0].comment, reviewer: r.reviews[0].reviewer?.name ?? null, rejectedAt: r.reviews[0].createdAt }))
    .sort((a, b) => a.rejectedAt.getTime() - b.rejectedAt.getTime());
}
