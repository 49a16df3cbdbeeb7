/**
 * Inter-observer agreement: where two people labelled the same slice, how well their polygons overlap, per class.
 *
 * Who labelled what is read from the revision history (AnnotationRevision), replayed in time order:
 *  - a "labelled set" is recorded each time annotations become SUBMITTED or ACCEPTED (a submit, an accept, or an
 *    import of accepted labels): the slice's live annotations in those statuses at that moment;
 *  - the set belongs to the person who last changed the geometry (created, moved or deleted a polygon) before it,
 *    so a reviewer who accepts unchanged work does not count as a second labeller, while one who corrected it does;
 *  - each person's final set is their latest one.
 * Two people's final sets are compared by rasterising both (lib/imaging/contours polygonsToLabelMap, the same fill
 * the training masks use) and counting pixels per class; Dice = 2|A∩B| / (|A|+|B|). Overlaps keep their counts so
 * Dice can be pooled over slices like the model's Dice (lib/model/evaluate.ts).
 * Not visible here: a submit of a slice without any polygon leaves no revision, so it cannot be attributed.
 */
import { polygonsToLabelMap, type LesionClass, type LesionPolygon, type Point } from '@/lib/imaging/contours';
import type { FigureTable } from './csv';

/** Published human inter-observer Dice for GGO and consolidation together (issue 5's reference figure). */
export const PUBLISHED_INTEROBSERVER_DICE = 0.7;

/** The classes agreement is reported for: each lesion class, and both together (any lesion pixel). */
export const AGREEMENT_CLASSES = ['GGO', 'C', 'GGO+C'] as const;
export type AgreementClass = (typeof AGREEMENT_CLASSES)[number];

const FINAL_STATUSES = new Set(['SUBMITTED', 'ACCEPTED']);

export interface RevisionRecord {
  annotationId: string;
  version: number;
  action: string;
  authorId: string | null;
  createdAt: Date | string;
  /** The annotation after the change: { lesionClass, points, holes, status }. */
  snapshot: unknown;
}

export interface LabelledSet {
  authorId: string;
  at: Date;
  polygons: LesionPolygon[];
}

interface Snapshot {
  lesionClass: LesionClass;
  points: Point[];
  holes: Point[][];
  status: string;
}

function readSnapshot(value: unknown): Snapshot | null {
  const s = value as Partial<Snapshot> | null;
  if (!s || (s.lesionClass !== 'GGO' && s.lesionClass !== 'C') || !Array.isArray(s.points)) return null;
  return { lesionClass: s.lesionClass, points: s.points, holes: Array.isArray(s.holes) ? s.holes : [], status: String(s.status ?? '') };
}

const time = (d: Date | string) => (typeof d === 'string' ? new Date(d) : d).getTime();

/** Each person's final SUBMITTED/ACCEPTED set of one slice, from that slice's revisions (any order). */
export function finalSetsByAuthor(revisions: readonly RevisionRecord[]): Map<string, LabelledSet> {
  const ordered = [...revisions].sort((a, b) => time(a.createdAt) - time(b.createdAt) || (a.annotationId === b.annotationId ? a.version - b.version : 0));
  const live = new Map<string, Snapshot>();
  const sets = new Map<string, LabelledSet>();
  let geometryAuthor: string | null = null;
  let pending: { authorId: string | null; at: Date } | null = null;

  const flush = () => {
    if (!pending) return;
    const owner = geometryAuthor ?? pending.authorId;
    if (owner) {
      const polygons = [...live.values()].filter((s) => FINAL_STATUSES.has(s.status)).map(({ lesionClass, points, holes }) => ({ lesionClass, points, holes }));
      sets.set(owner, { authorId: owner, at: pending.at, polygons });
    }
    pending = null;
  };

  for (const r of ordered) {
    const snapshot = readSnapshot(r.snapshot);
    if (!snapshot) continue;
    const before = live.get(r.annotationId);
    const becomesFinal = r.action !== 'DELETE' && FINAL_STATUSES.has(snapshot.status) && before?.status !== snapshot.status;
    // A submit/accept is one run of status changes by one person; anything else ends it.
    if (pending && (!becomesFinal || pending.authorId !== r.authorId)) flush();
    if (r.action === 'DELETE') live.delete(r.annotationId);
    else live.set(r.annotationId, snapshot);
    if (r.action !== 'STATUS') geometryAuthor = r.authorId;
    if (becomesFinal && !pending) pending = { authorId: r.authorId, at: new Date(time(r.createdAt)) };
  }
  flush();
  return sets;
}

export interface ClassOverlap {
  intersection: number;
  sizeA: number;
  sizeB: number;
}

/** Dice of an overlap; null when neither side has the class (nothing to agree on). */
export function dice(o: ClassOverlap): number | null {
  const total = o.sizeA + o.sizeB;
  return total === 0 ? null : (2 * o.intersection) / total;
}

/** Pixel overlaps of two polygon sets on a width × height slice, per class and for any lesion. */
export function overlapByClass(a: readonly LesionPolygon[], b: readonly LesionPolygon[], width: number, height: number): Record<AgreementClass, ClassOverlap> {
  const mapA = polygonsToLabelMap(a, width, height);
  const mapB = polygonsToLabelMap(b, width, height);
  const out = Object.fromEntries(AGREEMENT_CLASSES.map((c) => [c, { intersection: 0, sizeA: 0, sizeB: 0 }])) as Record<AgreementClass, ClassOverlap>;
  const count = (o: ClassOverlap, inA: boolean, inB: boolean) => {
    if (inA) o.sizeA++;
    if (inB) o.sizeB++;
    if (inA && inB) o.intersection++;
  };
  for (let i = 0; i < mapA.length; i++) {
    const la = mapA[i];
    const lb = mapB[i];
    if (la === 0 && lb === 0) continue;
    count(out.GGO, la === 1, lb === 1);
    count(out.C, la === 2, lb === 2);
    count(out['GGO+C'], la !== 0, lb !== 0);
  }
  return out;
}

export interface SliceForAgreement {
  id: string;
  width: number;
  height: number;
  /** Shown in the table: e.g. "study 3 · slice 12". */
  label: string;
}

export interface AgreementPair {
  sliceId: string;
  sliceLabel: string;
  authorA: string;
  authorB: string;
  overlap: Record<AgreementClass, ClassOverlap>;
}

/** Every pair of people who labelled the slice, earlier labeller first. */
export function sliceAgreement(slice: SliceForAgreement, revisions: readonly RevisionRecord[]): AgreementPair[] {
  const sets = [...finalSetsByAuthor(revisions).values()].sort((x, y) => x.at.getTime() - y.at.getTime());
  const pairs: AgreementPair[] = [];
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      pairs.push({ sliceId: slice.id, sliceLabel: slice.label, authorA: sets[i].authorId, authorB: sets[j].authorId, overlap: overlapByClass(sets[i].polygons, sets[j].polygons, slice.width, slice.height) });
    }
  }
  return pairs;
}

export interface AgreementSummary {
  pairs: number;
  slices: number;
  /** Pooled over all pairs: 2·Σ|A∩B| / Σ(|A|+|B|), as the model's pooled Dice; null without any pixel of the class. */
  pooledDice: Record<AgreementClass, number | null>;
  /** Mean of the per-pair Dice over the pairs where either side has the class, with that count. */
  meanDice: Record<AgreementClass, { mean: number | null; n: number }>;
}

export function summariseAgreement(pairs: readonly AgreementPair[]): AgreementSummary {
  const pooledDice = {} as AgreementSummary['pooledDice'];
  const meanDice = {} as AgreementSummary['meanDice'];
  for (const c of AGREEMENT_CLASSES) {
    const pooled = pairs.reduce((acc, p) => ({ intersection: acc.intersection + p.overlap[c].intersection, sizeA: acc.sizeA + p.overlap[c].sizeA, sizeB: acc.sizeB + p.overlap[c].sizeB }), { intersection: 0, sizeA: 0, sizeB: 0 });
    pooledDice[c] = dice(pooled);
    const values = pairs.map((p) => dice(p.overlap[c])).filter((d): d is number => d !== null);
    meanDice[c] = { mean: values.length ? values.reduce((s, d) => s + d, 0) / values.length : null, n: values.length };
  }
  return { pairs: pairs.length, slices: new Set(pairs.map((p) => p.sliceId)).size, pooledDice, meanDice };
}

/** The per-pair table (and its CSV): slice, the two people (by display name), Dice per class. */
export function agreementTable(pairs: readonly AgreementPair[], nameOf: (userId: string) => string): FigureTable {
  return {
    columns: [
      { key: 'slice', label: 'Slice' },
      { key: 'first', label: 'First labeller' },
      { key: 'second', label: 'Second labeller' },
      ...AGREEMENT_CLASSES.map((c) => ({ key: `dice.${c}`, label: `Dice ${c}` })),
    ],
    rows: pairs.map((p) => ({
      slice: p.sliceLabel,
      first: nameOf(p.authorA),
      second: nameOf(p.authorB),
      ...Object.fromEntries(AGREEMENT_CLASSES.map((c) => [`dice.${c}`, dice(p.overlap[c])])),
    })),
  };
}
