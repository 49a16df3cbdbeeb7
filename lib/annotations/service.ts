/**
 * Saving a slice's annotation so that no work is ever lost or silently overwritten.
 *
 * The editor sends the whole human annotation of a slice with the slice version it was based on. The save bumps
 * the version with a conditional update (`WHERE version = base`), so of two saves based on the same version exactly
 * one wins and the other gets a ConflictError carrying the current state; the loser's UI then reloads, or re-sends
 * its own work based on the new version, which stores it as new revisions: both people's work stays in the
 * AnnotationRevision history. Every created, changed or deleted polygon writes one revision.
 */
import type { Db } from '@/lib/db/client';
import { hasRole } from '@/lib/auth/roles';
import type { LesionClass, Point } from '@/lib/imaging/contours';
import type { PublicUser } from '@/lib/users/service';
import { renewLease, releaseLease } from '@/lib/queue/leases';
import { validatePolygon } from './polygon';
import { saveRequestSchema, type SaveRequest } from './schema';
import { availableSliceClasses } from './sliceClasses';

export class AnnotationError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface StoredPolygon {
  id: string;
  lesionClass: LesionClass;
  points: Point[];
  holes: Point[][];
  source: 'HUMAN' | 'MODEL' | 'IMPORTED';
  status: string;
  score: number | null;
  version: number;
}

export interface EditorState {
  sliceId: string;
  version: number;
  status: string;
  width: number;
  height: number;
  pixelKind: 'HU' | 'WINDOWED';
  window: { width: number; level: number };
  study: { id: string; scanKey: string };
  index: number;
  /** The annotation: human and imported polygons. */
  polygons: StoredPolygon[];
  /** The model's proposals, shown as a separate layer. */
  proposals: StoredPolygon[];
  sliceClass: string | null;
  unsure: boolean;
  sliceClasses: string[];
  /** The model version the proposals come from, if any. */
  proposalVersionId: string | null;
  /** The latest review decision, so an annotator sees why a slice came back. */
  review: { action: 'ACCEPT' | 'REJECT'; comment: string | null; reviewer: string | null; at: string } | null;
}

const polygonSelect = { id: true, lesionClass: true, points: true, holes: true, source: true, status: true, score: true, version: true, modelVersionId: true } as const;

export async function loadEditorState(db: Db, sliceId: string): Promise<EditorState> {
  const slice = await db.slice.findUnique({
    where: { id: sliceId },
    select: {
      id: true, version: true, status: true, width: true, height: true, pixelKind: true, windowWidth: true, windowLevel: true, index: true,
      study: { select: { id: true, scanKey: true } },
      annotations: { where: { deletedAt: null }, orderBy: { createdAt: 'asc' }, select: polygonSelect },
      labels: { orderBy: { createdAt: 'desc' }, take: 1, select: { className: true, unsure: true } },
      reviews: { orderBy: { createdAt: 'desc' }, take: 1, select: { action: true, comment: true, createdAt: true, reviewer: { select: { name: true } } } },
    },
  });
  if (!slice) throw new AnnotationError(404, `Slice ${sliceId} not found`);
  const all = slice.annotations as unknown as (StoredPolygon & { modelVersionId: string | null })[];
  const review = slice.reviews[0];
  return {
    sliceId: slice.id,
    version: slice.version,
    status: slice.status,
    width: slice.width,
    height: slice.height,
    pixelKind: slice.pixelKind,
    window: { width: slice.windowWidth, level: slice.windowLevel },
    study: slice.study,
    index: slice.index,
    polygons: all.filter((a) => a.source !== 'MODEL'),
    proposals: all.filter((a) => a.source === 'MODEL'),
    sliceClass: slice.labels[0]?.className ?? null,
    unsure: slice.labels[0]?.unsure ?? false,
    sliceClasses: await availableSliceClasses(db),
    proposalVersionId: all.find((a) => a.source === 'MODEL')?.modelVersionId ?? null,
    review: review ? { action: review.action, comment: review.comment, reviewer: review.reviewer?.name ?? null, at: review.createdAt.toISOString() } : null,
  };
}

/** Annotators work on slices not yet submitted; reviewers and admins may change any slice. */
export function mayEdit(user: Pick<PublicUser, 'role'>, status: string): boolean {
  return hasRole(user.role, 'REVIEWER') || status === 'UNLABELLED' || status === 'IN_PROGRESS';
}

function samePolygon(a: { lesionClass: string; points: unknown; holes: unknown }, b: { lesionClass: string; points: Point[]; holes: Point[][] }): boolean {
  return a.lesionClass === b.lesionClass && JSON.stringify(a.points) === JSON.stringify(b.points) && JSON.stringify(a.holes) === JSON.stringify(b.holes);
}

export interface SaveResult {
  version: number;
  /** Stored id for every polygon of the request, by its client key. */
  ids: Record<string, string>;
}

export async function saveSliceAnnotations(db: Db, sliceId: string, user: PublicUser, input: SaveRequest): Promise<SaveResult> {
  const request = saveRequestSchema.parse(input);
  const slice = await db.slice.findUnique({ where: { id: sliceId }, select: { width: true, height: true, status: true } });
  if (!slice) throw new AnnotationError(404, `Slice ${sliceId} not found`);
  if (!mayEdit(user, slice.status)) {
    throw new AnnotationError(403, `This slice is ${slice.status.toLowerCase()}; only a reviewer can change it now`);
  }

  // Validate everything before writing anything: a bad polygon stores nothing.
  const problems: string[] = [];
  const polygons = request.polygons.map((p, k) => {
    const result = validatePolygon({ points: p.points as Point[], holes: p.holes as Point[][] }, slice.width, slice.height, `polygon ${k + 1} (${p.lesionClass})`);
    if (!result.ok) {
      problems.push(result.error);
      return null;
    }
    return { ...p, points: result.polygon.points, holes: result.polygon.holes };
  });
  const classes = await availableSliceClasses(db);
  if (request.sliceClass !== null && !classes.includes(request.sliceClass)) {
    problems.push(`slice class "${request.sliceClass}" is not one of ${classes.join(', ')}`);
  }
  if (new Set(request.polygons.map((p) => p.clientKey)).size !== request.polygons.length) problems.push('clientKey values must be unique');
  if (problems.length) throw new AnnotationError(400, problems.join('; '), problems);

  const result = await db.$transaction(async (tx) => {
    const claimed = await tx.slice.updateMany({
      where: { id: sliceId, version: request.baseVersion },
      data: {
        version: { increment: 1 },
        editingMs: { increment: request.activeMs },
        ...(request.proposalVersionId ? { proposalVersionId: request.proposalVersionId } : {}),
        ...(slice.status === 'UNLABELLED' ? { status: 'IN_PROGRESS' } : {}),
      },
    });
    if (claimed.count === 0) return null;
    const sliceVersion = request.baseVersion + 1;

    const existing = await tx.annotation.findMany({
      where: { sliceId, deletedAt: null, source: { not: 'MODEL' } },
      select: { id: true, lesionClass: true, points: true, holes: true, status: true, version: true },
    });
    const byId = new Map(existing.map((a) => [a.id, a]));
    const ids: Record<string, string> = {};
    const kept = new Set<string>();
    for (const p of polygons) {
      if (!p) continue;
      const snapshot = { lesionClass: p.lesionClass, points: p.points, holes: p.holes };
      // An id the current annotation no longer has (deleted by someone else, or undone and redone in the editor)
      // is stored as a new polygon: the author's work is kept, the old row stays deleted with its history.
      const current = p.id ? byId.get(p.id) : undefined;
      if (current && !kept.has(current.id)) {
        kept.add(current.id);
        ids[p.clientKey] = current.id;
        if (samePolygon(current, p)) continue;
        const version = current.version + 1;
        await tx.annotation.update({ where: { id: current.id }, data: { ...snapshot, version, authorId: user.id } });
        await tx.annotationRevision.create({
          data: { annotationId: current.id, version, sliceVersion, action: 'UPDATE', authorId: user.id, snapshot: { ...snapshot, status: current.status } },
        });
      } else {
        const created = await tx.annotation.create({ data: { sliceId, ...snapshot, source: 'HUMAN', status: 'DRAFT', authorId: user.id } });
        ids[p.clientKey] = created.id;
        await tx.annotationRevision.create({
          data: { annotationId: created.id, version: 1, sliceVersion, action: 'CREATE', authorId: user.id, snapshot: { ...snapshot, status: 'DRAFT' } },
        });
      }
    }
    for (const gone of existing.filter((a) => !kept.has(a.id))) {
      const version = gone.version + 1;
      await tx.annotation.update({ where: { id: gone.id }, data: { deletedAt: new Date(), version } });
      await tx.annotationRevision.create({
        data: { annotationId: gone.id, version, sliceVersion, action: 'DELETE', authorId: user.id, snapshot: { lesionClass: gone.lesionClass, points: gone.points, holes: gone.holes, status: gone.status } as object },
      });
    }
    const label = await tx.sliceLabel.findFirst({ where: { sliceId }, orderBy: { createdAt: 'desc' }, select: { className: true, unsure: true } });
    if (request.sliceClass !== null && (label?.className !== request.sliceClass || label?.unsure !== request.unsure)) {
      await tx.sliceLabel.create({ data: { sliceId, className: request.sliceClass, unsure: request.unsure, authorId: user.id, source: 'HUMAN', sliceVersion } });
    }
    const { version } = await tx.slice.findUniqueOrThrow({ where: { id: sliceId }, select: { version: true } });
    return { version, ids };
  });

  if (!result) {
    const current = await loadEditorState(db, sliceId);
    throw new AnnotationError(409, 'Someone else saved this slice after you opened it', { current });
  }
  await renewLease(db, sliceId, user.id);
  return result;
}

/**
 * Sets the status of every current human/imported polygon of a slice, one STATUS revision each, as part of slice
 * version `sliceVersion` (submit, accept, reject). Call inside the transaction that bumped the slice version.
 */
export async function setAnnotationStatus(tx: Db, sliceId: string, status: 'SUBMITTED' | 'ACCEPTED' | 'REJECTED', authorId: string, sliceVersion: number): Promise<void> {
  const rows = await tx.annotation.findMany({
    where: { sliceId, deletedAt: null, source: { not: 'MODEL' }, status: { not: status } },
    select: { id: true, version: true, lesionClass: true, points: true, holes: true },
  });
  for (const a of rows) {
    await tx.annotation.update({ where: { id: a.id }, data: { status, version: a.version + 1 } });
    await tx.annotationRevision.create({
      data: { annotationId: a.id, version: a.version + 1, sliceVersion, action: 'STATUS', authorId, snapshot: { lesionClass: a.lesionClass, points: a.points, holes: a.holes, status } as object },
    });
  }
}

/** Submits the slice for review: its annotations and the slice become SUBMITTED and the lease is released. */
export async function submitSlice(db: Db, sliceId: string, user: PublicUser, baseVersion: number): Promise<{ version: number }> {
  const slice = await db.slice.findUnique({ where: { id: sliceId }, select: { status: true } });
  if (!slice) throw new AnnotationError(404, `Slice ${sliceId} not found`);
  if (!mayEdit(user, slice.status)) throw new AnnotationError(403, `This slice is already ${slice.status.toLowerCase()}`);
  const version = await db.$transaction(async (tx) => {
    const claimed = await tx.slice.updateMany({
      where: { id: sliceId, version: baseVersion },
      data: { version: { increment: 1 }, status: 'SUBMITTED', submittedById: user.id, submittedAt: new Date() },
    });
    if (claimed.count === 0) return null;
    await setAnnotationStatus(tx as unknown as Db, sliceId, 'SUBMITTED', user.id, baseVersion + 1);
    return baseVersion + 1;
  });
  if (version === null) throw new AnnotationError(409, 'The slice changed since your last save: reload it before submitting');
  await releaseLease(db, sliceId, user.id);
  return { version };
}

/** The slices a user worked on, newest first: what they saved or submitted, with the slice's current state. */
export async function userHistory(db: Db, userId: string, take = 100) {
  const revisions = await db.annotationRevision.findMany({
    where: { authorId: userId },
    orderBy: { createdAt: 'desc' },
    take: take * 20,
    select: { createdAt: true, action: true, annotation: { select: { sliceId: true } } },
  });
  const labels = await db.sliceLabel.findMany({ where: { authorId: userId }, orderBy: { createdAt: 'desc' }, take, select: { sliceId: true, createdAt: true } });
  const submitted = await db.slice.findMany({ where: { submittedById: userId }, orderBy: { submittedAt: 'desc' }, take, select: { id: true, submittedAt: true } });
  const last = new Map<string, Date>();
  const touch = (sliceId: string, at: Date) => {
    if (!last.has(sliceId) || last.get(sliceId)! < at) last.set(sliceId, at);
  };
  for (const r of revisions) touch(r.annotation.sliceId, r.createdAt);
  for (const l of labels) touch(l.sliceId, l.createdAt);
  for (const s of submitted) if (s.submittedAt) touch(s.id, s.submittedAt);
  const ids = [...last.entries()].sort((a, b) => b[1].getTime() - a[1].getTime()).slice(0, take).map(([id]) => id);
  const slices = await db.slice.findMany({
    where: { id: { in: ids } },
    select: { id: true, index: true, status: true, study: { select: { scanKey: true } }, _count: { select: { annotations: { where: { deletedAt: null, source: { not: 'MODEL' } } } } } },
  });
  const byId = new Map(slices.map((s) => [s.id, s]));
  return ids.filter((id) => byId.has(id)).map((id) => {
    const s = byId.get(id)!;
    return { sliceId: id, studyKey: s.study.scanKey, index: s.index, status: s.status, polygons: s._count.annotations, lastWorkedAt: last.get(id)! };
  });
}
