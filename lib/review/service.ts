/**
 * The reviewer's decisions. Accept makes a slice's polygons the reviewed truth that training reads; reject sends it
 * back to its annotator with a comment; correcting in place is an ordinary save by the reviewer (a revision with
 * their name). Each decision is a new slice version, so a decision on a slice that changed meanwhile is refused.
 */
import { maybeQueueTraining } from '@/lib/al/autoTrain';
import type { Db } from '@/lib/db/client';
import { invalid } from '@/lib/errors';
import type { LesionPolygon } from '@/lib/imaging/contours';
import { sliceTransaction } from '@/lib/slices/sliceTransaction';
import type { PublicUser } from '@/lib/users/service';
import { polygonOverlap } from './correction';

/** Stores how much the final polygons differ from the model's proposal, when the slice started from one. */
async function recordCorrectionEffort(db: Db, sliceId: string): Promise<void> {
  const slice = await db.slice.findUniqueOrThrow({
    where: { id: sliceId },
    select: { width: true, height: true, proposalVersionId: true, editingMs: true, submittedById: true, annotations: { where: { deletedAt: null }, select: { source: true, modelVersionId: true, lesionClass: true, points: true, holes: true } } },
  });
  if (!slice.proposalVersionId) return;
  const asPolygon = (a: (typeof slice.annotations)[number]) => ({ lesionClass: a.lesionClass, points: a.points, holes: a.holes }) as LesionPolygon;
  const proposal = slice.annotations.filter((a) => a.source === 'MODEL' && a.modelVersionId === slice.proposalVersionId).map(asPolygon);
  const final = slice.annotations.filter((a) => a.source !== 'MODEL').map(asPolygon);
  const perClass = polygonOverlap(proposal, final, slice.width, slice.height);
  const data = { modelVersionId: slice.proposalVersionId, perClass: perClass as object, editingMs: slice.editingMs, annotatorId: slice.submittedById };
  await db.correctionEffort.upsert({ where: { sliceId }, create: { sliceId, ...data }, update: data });
}

export async function acceptSlice(db: Db, sliceId: string, reviewer: PublicUser, baseVersion: number): Promise<{ version: number; trainingJobId: string | null }> {
  // Reviewers may accept work that was submitted, or that they completed themselves from a proposal.
  const { version } = await sliceTransaction(db, sliceId, { baseVersion, actor: reviewer, lease: 'release', statuses: ['SUBMITTED', 'IN_PROGRESS', 'UNLABELLED'], action: 'accept' }, async (w) => {
    await w.setStatus('ACCEPTED', 'ACCEPTED');
    await w.recordReview('ACCEPT');
  });
  await recordCorrectionEffort(db, sliceId);
  return { version, trainingJobId: await maybeQueueTraining(db) };
}

export async function rejectSlice(db: Db, sliceId: string, reviewer: PublicUser, baseVersion: number, comment: string): Promise<{ version: number }> {
  const text = comment.trim();
  if (!text) throw invalid('Say what to fix: a rejection needs a comment for the annotator');
  const { version } = await sliceTransaction(db, sliceId, { baseVersion, actor: reviewer, lease: 'release', statuses: ['SUBMITTED'], action: 'reject' }, async (w) => {
    await w.setStatus('IN_PROGRESS', 'REJECTED');
    await w.recordReview('REJECT', text);
  });
  return { version };
}

/** Submitted slices (oldest first), then slices with model proposals that no human has touched yet. */
export async function reviewQueue(db: Db, take = 200) {
  const select = { id: true, index: true, status: true, version: true, submittedAt: true, study: { select: { scanKey: true } }, submittedBy: { select: { name: true } } } as const;
  const submitted = await db.slice.findMany({ where: { status: 'SUBMITTED' }, orderBy: { submittedAt: 'asc' }, take, select });
  const proposals = await db.slice.findMany({
    where: { status: 'UNLABELLED', annotations: { some: { source: 'MODEL', deletedAt: null } } },
    orderBy: [{ study: { createdAt: 'asc' } }, { index: 'asc' }],
    take,
    select,
  });
  return { submitted, proposals };
}
