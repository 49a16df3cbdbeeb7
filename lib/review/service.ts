/**
 * The reviewer's decisions. Accept makes a slice's polygons the reviewed truth that training reads; reject sends it
 * back to its annotator with a comment; correcting in place is an ordinary save by the reviewer (a revision with
 * their name). Each decision is a new slice version, so a decision on a slice that changed meanwhile is refused.
 */
import { maybeQueueTraining } from '@/lib/al/autoTrain';
import { AnnotationError, setAnnotationStatus } from '@/lib/annotations/service';
import type { Db } from '@/lib/db/client';
import type { LesionPolygon } from '@/lib/imaging/contours';
import { releaseLease } from '@/lib/queue/leases';
import type { PublicUser } from '@/lib/users/service';
import { polygonOverlap } from './correction';

async function bumpVersion(tx: Db, sliceId: string, baseVersion: number, allowed: string[], data: object): Promise<boolean> {
  const claimed = await tx.slice.updateMany({ where: { id: sliceId, version: baseVersion, status: { in: allowed as never[] } }, data: { version: { increment: 1 }, ...data } });
  return claimed.count === 1;
}

async function explainRefusal(db: Db, sliceId: string, baseVersion: number, what: string): Promise<never> {
  const slice = await db.slice.findUnique({ where: { id: sliceId }, select: { version: true, status: true } });
  if (!slice) throw new AnnotationError(404, `Slice ${sliceId} not found`);
  if (slice.version !== baseVersion) throw new AnnotationError(409, `The slice changed since you opened it (now version ${slice.version}): reload before you ${what}`);
  throw new AnnotationError(400, `A ${slice.status.toLowerCase().replace('_', ' ')} slice cannot be ${what === 'accept' ? 'accepted' : 'rejected'}`);
}

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
  const done = await db.$transaction(async (tx) => {
    const t = tx as unknown as Db;
    // Reviewers may accept work that was submitted, or that they completed themselves from a proposal.
    if (!(await bumpVersion(t, sliceId, baseVersion, ['SUBMITTED', 'IN_PROGRESS', 'UNLABELLED'], { status: 'ACCEPTED' }))) return false;
    await setAnnotationStatus(t, sliceId, 'ACCEPTED', reviewer.id, baseVersion + 1);
    await t.reviewEvent.create({ data: { sliceId, reviewerId: reviewer.id, action: 'ACCEPT', version: baseVersion + 1 } });
    return true;
  });
  if (!done) return explainRefusal(db, sliceId, baseVersion, 'accept');
  await db.sliceLease.deleteMany({ where: { sliceId } });
  await recordCorrectionEffort(db, sliceId);
  return { version: baseVersion + 1, trainingJobId: await maybeQueueTraining(db) };
}

export async function rejectSlice(db: Db, sliceId: string, reviewer: PublicUser, baseVersion: number, comment: string): Promise<{ version: number }> {
  const text = comment.trim();
  if (!text) throw new AnnotationError(400, 'Say what to fix: a rejection needs a comment for the annotator');
  const done = await db.$transaction(async (tx) => {
    const t = tx as unknown as Db;
    if (!(await bumpVersion(t, sliceId, baseVersion, ['SUBMITTED'], { status: 'IN_PROGRESS' }))) return false;
    await setAnnotationStatus(t, sliceId, 'REJECTED', reviewer.id, baseVersion + 1);
    await t.reviewEvent.create({ data: { sliceId, reviewerId: reviewer.id, action: 'REJECT', comment: text, version: baseVersion + 1 } });
    return true;
  });
  if (!done) return explainRefusal(db, sliceId, baseVersion, 'reject');
  await releaseLease(db, sliceId, reviewer.id);
  return { version: baseVersion + 1 };
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
