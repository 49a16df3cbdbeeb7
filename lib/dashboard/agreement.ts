/**
 * Inter-observer agreement: where two people labelled the same slice, how well their polygons overlap, per class.
 *
 * Who labelled what is read from the revision history (AnnotationRevision), replayed in time order:
 *  - a "labelled set" is recorded each time annotations become SUBMITTED or ACCEPTED (a submit, an accept, or an
 *    import of accepted labels): the slice's live annotations in those statuses at that moment;
 *  - the set belongs to the person who last changed the geometry (created, moved or deleted a polygon) before it,
 *    so a reviewer who accepts unchanged work does not count as a second labeller, while one who corrected it does;
 *  - each person's final set is their latest one.
 * Two people's final sets are compared on their rasterised label maps (the pixels training and evaluation use):
 * Dice = 2|A∩B| / (|A|+|B|) per class, and for GGO+C together, the figure published inter-observer studies give.
 * Not visible here: a submit of a slice without any polygon leaves no revision, so it cannot be attributed.
 */
import { labelOverlap, polygonsToLabelMap, type LesionClass, type LesionPolygon, type Point } from '@/lib/imaging/contours';
import { polygonOverlap } from '@/lib/review/correction';
import type { FigureTable } from './csv';
import type { SegmenterVersion } from './versions';

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

/** Every pixel of either lesion class as label 1: the "GGO+C" map the published figure is about. */
const ANY_LESION = { GGO: 1, C: 1 } as const;

/**
 * Dice of two polygon sets on a width × height slice per class (lib/review/correction's overlap, the one the
 * correction-effort figures use) and for any lesion; null where neither side has the class (nothing to agree on).
 */
export function diceByClass(a: readonly LesionPolygon[], b: readonly LesionPolygon[], width: number, height: number): Record<AgreementClass, number | null> {
  const perClass = polygonOverlap([...a], [...b], width, height);
  const lesion = labelOverlap(polygonsToLabelMap(a, width, height, ANY_LESION), polygonsToLabelMap(b, width, height, ANY_LESION), 1);
  return { GGO: perClass.GGO?.dice ?? null, C: perClass.C?.dice ?? null, 'GGO+C': lesion?.dice ?? null };
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
  dice: Record<AgreementClass, number | null>;
}

/** Every pair of people who labelled the slice, earlier labeller first. */
export function sliceAgreement(slice: SliceForAgreement, revisions: readonly RevisionRecord[]): AgreementPair[] {
  const sets = [...finalSetsByAuthor(revisions).values()].sort((x, y) => x.at.getTime() - y.at.getTime());
  const pairs: AgreementPair[] = [];
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      pairs.push({ sliceId: slice.id, sliceLabel: slice.label, authorA: sets[i].authorId, authorB: sets[j].authorId, dice: diceByClass(sets[i].polygons, sets[j].polygons, slice.width, slice.height) });
    }
  }
  return pairs;
}

export interface AgreementSummary {
  pairs: number;
  slices: number;
  /**
   * Mean over pairs of each pair's Dice, over the pairs where either side has the class, with that count: the
   * human counterpart of the model's mean-over-slices Dice (lib/model/evaluate.ts diceMeanOverSlices).
   */
  meanDice: Record<AgreementClass, { mean: number | null; n: number }>;
}

export function summariseAgreement(pairs: readonly AgreementPair[]): AgreementSummary {
  const meanDice = {} as AgreementSummary['meanDice'];
  for (const c of AGREEMENT_CLASSES) {
    const values = pairs.map((p) => p.dice[c]).filter((d): d is number => d !== null);
    meanDice[c] = { mean: values.length ? values.reduce((sum, d) => sum + d, 0) / values.length : null, n: values.length };
  }
  return { pairs: pairs.length, slices: new Set(pairs.map((p) => p.sliceId)).size, meanDice };
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
      ...Object.fromEntries(AGREEMENT_CLASSES.map((c) => [`dice.${c}`, p.dice[c]])),
    })),
  };
}

/**
 * Human-vs-human agreement next to the active model's agreement with the reviewed labels and the published figure.
 * The model's Dice is its mean over validation slices (the per-pair human mean's counterpart; pooled when the report
 * has no per-slice mean); the model reports no GGO+C Dice, so that cell shows the mean of its GGO and C Dice.
 */
export function agreementComparison(summary: AgreementSummary, activeSegmenter: SegmenterVersion | undefined): FigureTable {
  const m = activeSegmenter?.metrics;
  const model = m ? (m.diceMeanOverSlices ?? m.dice) : null;
  return {
    columns: [{ key: 'who', label: 'Agreement' }, ...AGREEMENT_CLASSES.map((c) => ({ key: c, label: `Dice ${c}` })), { key: 'n', label: 'Pairs / slices' }],
    rows: [
      { who: 'Human vs human (this project)', ...Object.fromEntries(AGREEMENT_CLASSES.map((c) => [c, summary.meanDice[c].mean])), n: summary.pairs },
      { who: activeSegmenter ? `Model v${activeSegmenter.number} vs human` : 'Model vs human (no active segmenter)', GGO: model?.GGO ?? null, C: model?.C ?? null, 'GGO+C': model?.mean ?? null, n: m?.numSlices ?? null },
      { who: 'Published inter-observer agreement', GGO: null, C: null, 'GGO+C': PUBLISHED_INTEROBSERVER_DICE, n: null },
    ],
  };
}
