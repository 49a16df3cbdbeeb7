/**
 * Saving a slice's annotation so that no work is ever lost or silently overwritten.
 *
 * The editor sends the whole human annotation of a slice with the slice version it was based on. The save goes
 * through the slice-write protocol (lib/slices/sliceTransaction.ts): of two saves based on the same version exactly
 * one wins and the other gets a conflict carrying the current state; the loser's UI then reloads, or re-sends its
 * own work based on the new version, which stores it as new revisions: both people's work stays in the
 * AnnotationRevision history. An annotator can only save or submit a slice nobody else holds the lease of.
 */
import type { Db } from '@/lib/db/client';
import { hasRole } from '@/lib/auth/roles';
import { DomainError, forbidden, invalid, isDomainError, notFound } from '@/lib/errors';
import type { LesionClass, Point } from '@/lib/imaging/contours';
import type { PublicUser } from '@/lib/users/service';
import { sliceTransaction } from '@/lib/slices/sliceTransaction';
import { MAX_VERTICES_PER_REQUEST, validatePolygons } from './polygon';
import { saveRequestSchema, type SaveRequest } from './schema';
import { availableSliceClasses } from './sliceClasses';
import { returnedSlices } from '@/lib/review/returned';
import { pixelSpacingOf } from '@/lib/editor/lesionList';

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
  /** [row, column] spacing in mm where the study records it (DICOM), for areas in mm²; null otherwise. */
  pixelSpacing: [number, number] | null;
  /** The slice's place in its study's stack (ordered by index: cranial to caudal for volumes) and its neighbours. */
  stack: StudyStack;
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

export interface StudyStack {
  /** 1-based position among the study's slices. */
  position: number;
  count: number;
  previous: string | null;
  next: string | null;
}

/** Where a slice sits in its study: the slices before and after it by index, and how many there are. */
export async function studyStack(db: Db, studyId: string, index: number): Promise<StudyStack> {
  const [before, count, previous, next] = await Promise.all([
    db.slice.count({ where: { studyId, index: { lt: index } } }),
    db.slice.count({ where: { studyId } }),
    db.slice.findFirst({ where: { studyId, index: { lt: index } }, orderBy: { index: 'desc' }, select: { id: true } }),
    db.slice.findFirst({ where: { studyId, index: { gt: index } }, orderBy: { index: 'asc' }, select: { id: true } }),
  ]);
  return { position: before + 1, count, previous: previous?.id ?? null, next: next?.id ?? null };
}

export async function loadEditorState(db: Db, sliceId: string): Promise<EditorState> {
  const slice = await db.slice.findUnique({
    where: { id: sliceId },
    select: {
      id: true, version: true, status: true, width: true, height: true, pixelKind: true, windowWidth: true, windowLevel: true, index: true,
      study: { select: { id: true, scanKey: true, importMeta: true } },
      annotations: { where: { deletedAt: null }, orderBy: { createdAt: 'asc' }, select: polygonSelect },
      labels: { orderBy: { createdAt: 'desc' }, take: 1, select: { className: true, unsure: true } },
      reviews: { orderBy: { createdAt: 'desc' }, take: 1, select: { action: true, comment: true, createdAt: true, reviewer: { select: { name: true } } } },
    },
  });
  if (!slice) throw notFound(`Slice ${sliceId}`);
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
    study: { id: slice.study.id, scanKey: slice.study.scanKey },
    index: slice.index,
    pixelSpacing: pixelSpacingOf(slice.study.importMeta),
    stack: await studyStack(db, slice.study.id, slice.index),
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

export interface SaveResult {
  version: number;
  /** Stored id for every polygon of the request, by its client key. */
  ids: Record<string, string>;
}

/** Statuses a role's writes apply to. */
const editableStatuses = (user: Pick<PublicUser, 'role'>) => (hasRole(user.role, 'REVIEWER') ? undefined : (['UNLABELLED', 'IN_PROGRESS'] as const));

export async function saveSliceAnnotations(db: Db, sliceId: string, user: PublicUser, input: SaveRequest): Promise<SaveResult> {
  const request = saveRequestSchema.parse(input);
  const slice = await db.slice.findUnique({ where: { id: sliceId }, select: { width: true, height: true, status: true } });
  if (!slice) throw notFound(`Slice ${sliceId}`);
  if (!mayEdit(user, slice.status)) throw forbidden(`This slice is ${slice.status.toLowerCase()}; only a reviewer can change it now`);

  // Validate everything before writing anything: a bad polygon stores nothing.
  const problems: string[] = [];
  const vertices = request.polygons.reduce((n, p) => n + p.points.length + p.holes.reduce((m, h) => m + h.length, 0), 0);
  if (vertices > MAX_VERTICES_PER_REQUEST) {
    throw invalid(`The save has ${vertices} vertices; at most ${MAX_VERTICES_PER_REQUEST} are allowed per slice (simplify the outlines)`);
  }
  const checked = validatePolygons(
    request.polygons.map((p, k) => ({ points: p.points as Point[], holes: p.holes as Point[][], what: `polygon ${k + 1} (${p.lesionClass})` })),
    slice.width,
    slice.height,
  );
  for (const c of checked) if (!c.ok) problems.push(c.error);
  const classes = await availableSliceClasses(db);
  if (request.sliceClass !== null && !classes.includes(request.sliceClass)) {
    problems.push(`slice class "${request.sliceClass}" is not one of ${classes.join(', ')}`);
  }
  if (new Set(request.polygons.map((p) => p.clientKey)).size !== request.polygons.length) problems.push('clientKey values must be unique');
  if (request.proposalVersionId && !(await db.modelVersion.findFirst({ where: { id: request.proposalVersionId, kind: 'segmenter' }, select: { id: true } }))) {
    problems.push(`proposalVersionId ${request.proposalVersionId} is not a segmenter version`);
  }
  if (problems.length) throw invalid(problems.join('; '), problems);

  try {
    const { version, value: ids } = await sliceTransaction(db, sliceId, { baseVersion: request.baseVersion, actor: user, statuses: editableStatuses(user), action: 'save' }, async (w) => {
      await w.recordEditing({ activeMs: request.activeMs, proposalVersionId: request.proposalVersionId });
      if (slice.status === 'UNLABELLED') await w.setStatus('IN_PROGRESS');
      const ids: Record<string, string> = {};
      const kept = new Set<string>();
      for (const [k, p] of request.polygons.entries()) {
        const valid = checked[k] as Extract<(typeof checked)[number], { ok: true }>;
        // An id the slice no longer has (deleted by someone else, or undone and redone in the editor), or one sent
        // twice, is stored as a new polygon: the author's work is kept, the old row stays deleted with its history.
        const id = p.id && !kept.has(p.id) ? p.id : undefined;
        ids[p.clientKey] = await w.writePolygon({ id, lesionClass: p.lesionClass, ...valid.polygon });
        kept.add(ids[p.clientKey]);
      }
      for (const id of [...(await w.polygons()).keys()]) if (!kept.has(id)) await w.deletePolygon(id);
      if (request.sliceClass !== null) await w.setSliceClass(request.sliceClass, request.unsure);
      return ids;
    });
    return { version, ids };
  } catch (error) {
    if (isDomainError(error, 'conflict') && (error.details as { currentVersion?: number } | undefined)?.currentVersion !== undefined) {
      throw new DomainError('conflict', 'Someone else saved this slice after you opened it', { current: await loadEditorState(db, sliceId) });
    }
    throw error;
  }
}

/** Submits the slice for review: its annotations and the slice become SUBMITTED and the lease is released. */
export async function submitSlice(db: Db, sliceId: string, user: PublicUser, baseVersion: number): Promise<{ version: number }> {
  const slice = await db.slice.findUnique({ where: { id: sliceId }, select: { status: true } });
  if (!slice) throw notFound(`Slice ${sliceId}`);
  if (!mayEdit(user, slice.status)) throw forbidden(`This slice is already ${slice.status.toLowerCase()}`);
  const { version } = await sliceTransaction(db, sliceId, { baseVersion, actor: user, lease: 'release', statuses: editableStatuses(user), action: 'submit' }, (w) =>
    w.setStatus('SUBMITTED', 'SUBMITTED'),
  );
  return { version };
}

/** The slices a user worked on, newest first: what they saved or submitted, with the slice's current state (rejected work marked). */
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
  const returned = new Map((await returnedSlices(db, userId)).map((r) => [r.sliceId, r]));
  return ids.filter((id) => byId.has(id)).map((id) => {
    const s = byId.get(id)!;
    const back = returned.get(id);
    return {
      sliceId: id, studyKey: s.study.scanKey, index: s.index, status: s.status, polygons: s._count.annotations, lastWorkedAt: last.get(id)!,
      /** Set when a reviewer sent the slice back to this user: shown as Rejected with the comment. */
      returned: back ? { comment: back.comment, reviewer: back.reviewer } : null,
    };
  });
}
