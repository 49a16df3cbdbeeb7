/**
 * What the review screen shows beside the slice: who submitted it and when, what changed since its previous
 * submission, and the review item after it (a decision moves on to that one).
 */
import type { Db } from '@/lib/db/client';
import { reviewQueue } from './service';
import { diffOutlines, previousSubmissionOutlines, type OutlineDiff } from './submissionDiff';

export interface ReviewContext {
  author: string | null;
  submittedAt: string | null;
  /** Null for a first submission (nothing to compare with). */
  diff: OutlineDiff | null;
  /** The next submitted slice in the review queue, if any. */
  nextId: string | null;
}

export async function reviewContext(db: Db, sliceId: string): Promise<ReviewContext> {
  const slice = await db.slice.findUniqueOrThrow({
    where: { id: sliceId },
    select: {
      submittedAt: true,
      submittedBy: { select: { name: true } },
      annotations: { where: { deletedAt: null, source: { not: 'MODEL' } }, select: { id: true, lesionClass: true, points: true, holes: true } },
    },
  });
  const previous = await previousSubmissionOutlines(db, sliceId);
  const current = slice.annotations as unknown as Parameters<typeof diffOutlines>[1];
  const { submitted } = await reviewQueue(db);
  const next = submitted.find((s) => s.id !== sliceId) ?? null;
  return {
    author: slice.submittedBy?.name ?? null,
    submittedAt: slice.submittedAt?.toISOString() ?? null,
    diff: previous ? diffOutlines(previous, current) : null,
    nextId: next?.id ?? null,
  };
}
