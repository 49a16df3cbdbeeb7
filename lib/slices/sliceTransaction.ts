/**
 * The one way a slice's annotation is written. Whatever must always happen together happens here:
 *
 *  - the version check: a write based on a version other than the current one is a conflict, and the write bumps
 *    the version by one (one save, submit or review decision = one slice version);
 *  - the lease check, for annotators: the slice must not be leased to someone else; the writer takes or renews
 *    the lease in the same transaction (reviewers and admins are not bound by leases);
 *  - a revision for every change of a polygon (CREATE, UPDATE, DELETE, STATUS) and a SliceLabel row for every
 *    change of the slice class, all tagged with the new slice version.
 *
 * Writers: annotation saves and submits (lib/annotations/service.ts), review decisions (lib/review/service.ts),
 * imports (`insertImportedSlices`) and model proposals (`replaceProposals`). lib/slices/writers.test.ts walks the
 * code and fails when anything else writes these tables.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db/client';
import { conflict, DomainError, notFound } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/sqlite/client';
import type { Role } from '@/lib/auth/roles';
import type { LesionClass, Point } from '@/lib/imaging/contours';
import { acquireLease, isUniqueViolation, leaseHolder } from '@/lib/queue/leases';

export type Tx = Prisma.TransactionClient;
export type SliceStatus = 'UNLABELLED' | 'IN_PROGRESS' | 'SUBMITTED' | 'ACCEPTED';
export type PolygonStatus = 'DRAFT' | 'SUBMITTED' | 'ACCEPTED' | 'REJECTED';

export interface SliceActor {
  id: string;
  role: Role;
}

export interface SliceWriteOptions {
  /** The slice version the change is based on. */
  baseVersion: number;
  actor: SliceActor;
  /** After the write: keep the slice leased (renewed, for annotators) or release whoever's lease it has. */
  lease?: 'keep' | 'release';
  /** Slice statuses the write applies to; another status is a conflict. Default: any. */
  statuses?: readonly SliceStatus[];
  /** Says what the write is in messages ("save", "submit", "accept", …). */
  action?: string;
}

export interface PolygonShape {
  lesionClass: LesionClass;
  points: Point[];
  holes: Point[][];
}

export interface CurrentPolygon extends PolygonShape {
  id: string;
  status: PolygonStatus;
  version: number;
}

const snapshot = (p: PolygonShape, status: string) => ({ lesionClass: p.lesionClass, points: p.points, holes: p.holes, status });
const sameShape = (a: PolygonShape, b: PolygonShape) =>
  a.lesionClass === b.lesionClass && JSON.stringify(a.points) === JSON.stringify(b.points) && JSON.stringify(a.holes) === JSON.stringify(b.holes);

/** The writes a slice transaction offers; each records its revision. */
export class SliceWriter {
  private current: Map<string, CurrentPolygon> | null = null;

  constructor(
    private readonly tx: Tx,
    readonly sliceId: string,
    /** The version this transaction writes (base + 1). */
    readonly sliceVersion: number,
    private readonly actor: SliceActor,
  ) {}

  /** The slice's current human and imported polygons (not model proposals), by id. */
  async polygons(): Promise<Map<string, CurrentPolygon>> {
    if (!this.current) {
      const rows = await this.tx.annotation.findMany({
        where: { sliceId: this.sliceId, deletedAt: null, source: { not: 'MODEL' } },
        orderBy: { createdAt: 'asc' },
        select: { id: true, lesionClass: true, points: true, holes: true, status: true, version: true },
      });
      this.current = new Map(rows.map((r) => [r.id, r as unknown as CurrentPolygon]));
    }
    return this.current;
  }

  /** Creates a polygon (no `id`, or an id the slice no longer has) or changes one; returns its id. */
  async writePolygon(polygon: PolygonShape & { id?: string }): Promise<string> {
    const current = polygon.id ? (await this.polygons()).get(polygon.id) : undefined;
    const shape = { lesionClass: polygon.lesionClass, points: polygon.points, holes: polygon.holes };
    if (current) {
      if (sameShape(current, shape)) return current.id;
      const version = current.version + 1;
      await this.tx.annotation.update({ where: { id: current.id }, data: { ...shape, version, authorId: this.actor.id } });
      await this.revision(current.id, version, 'UPDATE', snapshot(shape, current.status));
      this.current!.set(current.id, { ...current, ...shape, version });
      return current.id;
    }
    const created = await this.tx.annotation.create({ data: { sliceId: this.sliceId, ...shape, source: 'HUMAN', status: 'DRAFT', authorId: this.actor.id } });
    await this.revision(created.id, 1, 'CREATE', snapshot(shape, 'DRAFT'));
    (await this.polygons()).set(created.id, { id: created.id, ...shape, status: 'DRAFT', version: 1 });
    return created.id;
  }

  /** Deletes a polygon (kept with its history). */
  async deletePolygon(id: string): Promise<void> {
    const current = (await this.polygons()).get(id);
    if (!current) throw notFound(`Polygon ${id} of slice ${this.sliceId}`);
    const version = current.version + 1;
    await this.tx.annotation.update({ where: { id }, data: { deletedAt: new Date(), version } });
    await this.revision(id, version, 'DELETE', snapshot(current, current.status));
    this.current!.delete(id);
  }

  /** Moves the slice to `status` and, when given, every current polygon to `polygonStatus` (one STATUS revision each). */
  async setStatus(status: SliceStatus, polygonStatus?: PolygonStatus): Promise<void> {
    await this.tx.slice.update({
      where: { id: this.sliceId },
      data: { status, ...(status === 'SUBMITTED' ? { submittedById: this.actor.id, submittedAt: new Date() } : {}) },
    });
    if (!polygonStatus) return;
    for (const p of (await this.polygons()).values()) {
      if (p.status === polygonStatus) continue;
      const version = p.version + 1;
      await this.tx.annotation.update({ where: { id: p.id }, data: { status: polygonStatus, version } });
      await this.revision(p.id, version, 'STATUS', snapshot(p, polygonStatus));
      this.current!.set(p.id, { ...p, status: polygonStatus, version });
    }
  }

  /** Sets the slice class; a new SliceLabel row only when it changes. */
  async setSliceClass(className: string, unsure: boolean): Promise<void> {
    const label = await this.tx.sliceLabel.findFirst({ where: { sliceId: this.sliceId }, orderBy: { createdAt: 'desc' }, select: { className: true, unsure: true } });
    if (label?.className === className && label.unsure === unsure) return;
    await this.tx.sliceLabel.create({ data: { sliceId: this.sliceId, className, unsure, authorId: this.actor.id, source: 'HUMAN', sliceVersion: this.sliceVersion } });
  }

  /** Editing time and the model version the work started from, for the correction-effort figures. */
  async recordEditing({ activeMs = 0, proposalVersionId }: { activeMs?: number; proposalVersionId?: string }): Promise<void> {
    if (!activeMs && !proposalVersionId) return;
    await this.tx.slice.update({ where: { id: this.sliceId }, data: { editingMs: { increment: activeMs }, ...(proposalVersionId ? { proposalVersionId } : {}) } });
  }

  /** A reviewer's decision, part of this slice version. */
  async recordReview(action: 'ACCEPT' | 'REJECT', comment?: string): Promise<void> {
    await this.tx.reviewEvent.create({ data: { sliceId: this.sliceId, reviewerId: this.actor.id, action, comment: comment ?? null, version: this.sliceVersion } });
  }

  private revision(annotationId: string, version: number, action: 'CREATE' | 'UPDATE' | 'DELETE' | 'STATUS', snap: object) {
    return this.tx.annotationRevision.create({ data: { annotationId, version, sliceVersion: this.sliceVersion, action, authorId: this.actor.id, snapshot: snap } });
  }
}

/** Annotators work under a lease; reviewers and admins may change any slice. */
export const boundByLease = (actor: SliceActor) => actor.role === 'ANNOTATOR';

async function lockedError(db: Db, sliceId: string): Promise<DomainError> {
  const holder = await leaseHolder(db, sliceId);
  const who = holder ? `${holder.name} is working on it (leased until ${holder.expiresAt.toISOString().slice(11, 16)} UTC)` : 'someone else is working on it';
  return new DomainError('locked', `This slice is not yours to change: ${who}. Take another with "Next slice".`, holder ? { holder: holder.name, until: holder.expiresAt } : undefined);
}

/**
 * Runs `work` as one new version of the slice: checks the lease (annotators) and the base version, bumps the
 * version, and gives `work` the writer whose every write records its revision. Throws not_found, conflict (stale
 * version or a status the write does not apply to) or locked (leased to someone else); nothing is written then.
 */
export async function sliceTransaction<T>(db: Db, sliceId: string, options: SliceWriteOptions, work: (w: SliceWriter) => Promise<T>): Promise<{ version: number; value: T }> {
  const { baseVersion, actor, lease = 'keep', statuses, action = 'change' } = options;
  const now = new Date();
  let outcome: { ok: true; value: T } | { ok: false; reason: 'locked' | 'refused' };
  try {
    outcome = await db.$transaction(
      async (tx) => {
        if (!(await tx.slice.findUnique({ where: { id: sliceId }, select: { id: true } }))) return { ok: false as const, reason: 'refused' as const };
        // The lease first: its row is written (taken or renewed) in this transaction, so no one can take it over
        // between the check and the commit.
        if (boundByLease(actor) && !(await acquireLease(tx, sliceId, actor.id, now))) return { ok: false as const, reason: 'locked' as const };
        const claimed = await tx.slice.updateMany({
          where: { id: sliceId, version: baseVersion, ...(statuses ? { status: { in: [...statuses] } } : {}) },
          data: { version: { increment: 1 } },
        });
        if (claimed.count === 0) return { ok: false as const, reason: 'refused' as const };
        const value = await work(new SliceWriter(tx, sliceId, baseVersion + 1, actor));
        if (lease === 'release') await tx.sliceLease.deleteMany({ where: { sliceId } });
        return { ok: true as const, value };
      },
      { timeout: 60_000, maxWait: 20_000 },
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw await lockedError(db, sliceId); // lost a lease insert race (PostgreSQL)
    throw error;
  }
  if (outcome.ok) return { version: baseVersion + 1, value: outcome.value };
  if (outcome.reason === 'locked') throw await lockedError(db, sliceId);
  const slice = await db.slice.findUnique({ where: { id: sliceId }, select: { version: true, status: true } });
  if (!slice) throw notFound(`Slice ${sliceId}`);
  if (slice.version !== baseVersion) {
    throw conflict(`The slice changed since you opened it (now version ${slice.version}, yours ${baseVersion}): reload before you ${action}`, { currentVersion: slice.version });
  }
  throw conflict(`You cannot ${action} a slice that is ${slice.status.toLowerCase().replace('_', ' ')}`, { status: slice.status });
}

// ---------------------------------------------------------------- writes that do not start from a known version

/** A new slice with the polygons and class that came with it (an import): version 0, one CREATE revision each. */
export interface ImportedSlice {
  row: Omit<Prisma.SliceCreateManyInput, 'id' | 'status' | 'version'>;
  polygons: PolygonShape[];
  className?: string;
}

/**
 * Inserts imported slices in bulk (a volume is hundreds of slices and thousands of polygons: one createMany per
 * table, inside the importer's transaction). A slice with polygons is ACCEPTED (reviewed truth from its source).
 */
export async function insertImportedSlices(tx: Tx, slices: ImportedSlice[], authorId: string | null): Promise<{ slices: number; annotations: number; labels: number }> {
  const sliceRows: Prisma.SliceCreateManyInput[] = [];
  const annotationRows: Prisma.AnnotationCreateManyInput[] = [];
  const revisionRows: Prisma.AnnotationRevisionCreateManyInput[] = [];
  const labelRows: Prisma.SliceLabelCreateManyInput[] = [];
  for (const s of slices) {
    // Ids are made here so child rows can reference their parents within the batch.
    const sliceId = randomUUID();
    sliceRows.push({ ...s.row, id: sliceId, status: s.polygons.length > 0 ? 'ACCEPTED' : 'UNLABELLED' });
    for (const p of s.polygons) {
      const annotationId = randomUUID();
      annotationRows.push({ id: annotationId, sliceId, lesionClass: p.lesionClass, points: p.points, holes: p.holes, source: 'IMPORTED', status: 'ACCEPTED', version: 1, authorId });
      revisionRows.push({ annotationId, version: 1, sliceVersion: 0, action: 'CREATE', snapshot: snapshot(p, 'ACCEPTED'), authorId });
    }
    if (s.className) labelRows.push({ sliceId, className: s.className, source: 'IMPORTED', authorId });
  }
  // Parents first: foreign keys are checked per statement.
  const counts = { slices: 0, annotations: 0, labels: 0 };
  if (sliceRows.length) counts.slices = (await tx.slice.createMany({ data: sliceRows })).count;
  if (annotationRows.length) counts.annotations = (await tx.annotation.createMany({ data: annotationRows })).count;
  if (revisionRows.length) await tx.annotationRevision.createMany({ data: revisionRows });
  if (labelRows.length) counts.labels = (await tx.sliceLabel.createMany({ data: labelRows })).count;
  return counts;
}

export interface ProposalWrite {
  modelVersionId: string;
  polygons: (PolygonShape & { score: number })[];
  /** What each model version said about the slice (class probabilities, uncertainty signals). */
  predictions: { modelVersionId: string; uncertainty: object; classProbs: object | null; embedding?: number[] }[];
}

/**
 * A model's output for one slice: its proposals replace the previous model's (DELETE and CREATE revisions, no
 * author) and its predictions are stored. Proposals are a layer beside the annotation, not part of it: they are
 * recorded at the slice's current version and never bump it, so a scoring run never turns an annotator's next save
 * into a conflict.
 */
export async function replaceProposals(db: Db, sliceId: string, write: ProposalWrite): Promise<void> {
  await db.$transaction(async (tx) => {
    const slice = await tx.slice.findUnique({ where: { id: sliceId }, select: { version: true } });
    if (!slice) throw notFound(`Slice ${sliceId}`);
    const old = await tx.annotation.findMany({ where: { sliceId, source: 'MODEL', deletedAt: null }, select: { id: true, version: true, lesionClass: true, points: true, holes: true } });
    const revisions: Prisma.AnnotationRevisionCreateManyInput[] = [];
    for (const p of old) {
      await tx.annotation.update({ where: { id: p.id }, data: { deletedAt: new Date(), version: p.version + 1 } });
      revisions.push({ annotationId: p.id, version: p.version + 1, sliceVersion: slice.version, action: 'DELETE', snapshot: snapshot(p as unknown as PolygonShape, 'DRAFT') });
    }
    const rows = write.polygons.map((p) => ({ id: randomUUID(), sliceId, lesionClass: p.lesionClass, points: p.points, holes: p.holes, source: 'MODEL' as const, status: 'DRAFT' as const, score: p.score, modelVersionId: write.modelVersionId }));
    if (rows.length) await tx.annotation.createMany({ data: rows });
    for (const r of rows) revisions.push({ annotationId: r.id, version: 1, sliceVersion: slice.version, action: 'CREATE', snapshot: snapshot(r, 'DRAFT') });
    if (revisions.length) await tx.annotationRevision.createMany({ data: revisions });
    for (const p of write.predictions) {
      // createdAt is when the prediction was made: a re-score refreshes it (a resumed score job reads it).
      const data = { uncertainty: p.uncertainty, classProbs: p.classProbs ?? undefined, embedding: p.embedding ?? undefined, createdAt: new Date() };
      await tx.prediction.upsert({ where: { sliceId_modelVersionId: { sliceId, modelVersionId: p.modelVersionId } }, create: { sliceId, modelVersionId: p.modelVersionId, ...data }, update: data });
    }
  });
}
