/**
 * A slice's history, one entry per slice version: who changed what and when, the reviewer's decisions, and the
 * difference from the version before (polygons added, removed and changed per class, and the per-class IoU of the
 * two label maps, so a reviewer sees at a glance how much a revision moved the lesions).
 */
import type { Db } from '@/lib/db/client';
import { labelOverlap, polygonsToLabelMap, type LesionClass, type LesionPolygon } from '@/lib/imaging/contours';
import { LESION_CLASSES, type PerClassOverlap } from './correction';

interface Snapshot {
  lesionClass: LesionClass;
  points: LesionPolygon['points'];
  holes: LesionPolygon['holes'];
  status: string;
}

export interface HistoryEntry {
  sliceVersion: number;
  at: Date;
  authors: string[];
  /** What kind of revision: import, edit, submit, accept, reject. */
  kinds: string[];
  comment: string | null;
  sliceClass: string | null;
  counts: Record<LesionClass, number>;
  added: Record<LesionClass, number>;
  removed: Record<LesionClass, number>;
  changed: Record<LesionClass, number>;
  /** Per-class overlap with the previous version's label map (null where neither has the class). */
  overlapWithPrevious: PerClassOverlap | null;
}

const zero = (): Record<LesionClass, number> => ({ GGO: 0, C: 0 });

export async function sliceHistory(db: Db, sliceId: string): Promise<HistoryEntry[] | null> {
  const slice = await db.slice.findUnique({ where: { id: sliceId }, select: { width: true, height: true } });
  if (!slice) return null;
  const [revisions, labels, reviews] = await Promise.all([
    db.annotationRevision.findMany({
      where: { annotation: { sliceId, source: { not: 'MODEL' } } },
      orderBy: [{ sliceVersion: 'asc' }, { createdAt: 'asc' }],
      select: { annotationId: true, sliceVersion: true, action: true, snapshot: true, createdAt: true, author: { select: { name: true } } },
    }),
    db.sliceLabel.findMany({ where: { sliceId }, orderBy: { createdAt: 'asc' }, select: { sliceVersion: true, className: true, createdAt: true, author: { select: { name: true } }, source: true } }),
    db.reviewEvent.findMany({ where: { sliceId }, orderBy: { createdAt: 'asc' }, select: { version: true, action: true, comment: true, createdAt: true, reviewer: { select: { name: true } } } }),
  ]);
  const versions = [...new Set([...revisions.map((r) => r.sliceVersion), ...labels.map((l) => l.sliceVersion), ...reviews.map((r) => r.version)])].sort((a, b) => a - b);
  const state = new Map<string, Snapshot>();
  let previousMap: Uint8Array | null = null;
  let sliceClass: string | null = null;
  const entries: HistoryEntry[] = [];
  for (const v of versions) {
    const revs = revisions.filter((r) => r.sliceVersion === v);
    const labs = labels.filter((l) => l.sliceVersion === v);
    const revs2 = reviews.filter((r) => r.version === v);
    const before = new Map(state);
    const entry: HistoryEntry = { sliceVersion: v, at: new Date(0), authors: [], kinds: [], comment: null, sliceClass, counts: zero(), added: zero(), removed: zero(), changed: zero(), overlapWithPrevious: null };
    const touch = (at: Date, name?: string | null) => {
      if (at > entry.at) entry.at = at;
      if (name && !entry.authors.includes(name)) entry.authors.push(name);
    };
    for (const r of revs) {
      touch(r.createdAt, r.author?.name);
      const snap = r.snapshot as unknown as Snapshot;
      if (r.action === 'DELETE') state.delete(r.annotationId);
      else state.set(r.annotationId, snap);
    }
    for (const l of labs) {
      touch(l.createdAt, l.author?.name);
      sliceClass = l.className;
    }
    entry.sliceClass = sliceClass;
    for (const e of revs2) {
      touch(e.createdAt, e.reviewer?.name);
      entry.kinds.push(e.action === 'ACCEPT' ? 'accept' : 'reject');
      if (e.comment) entry.comment = e.comment;
    }
    const statuses = new Set(revs.filter((r) => r.action === 'STATUS').map((r) => (r.snapshot as unknown as Snapshot).status));
    if (statuses.has('SUBMITTED')) entry.kinds.unshift('submit');
    if (revs.some((r) => r.action !== 'STATUS') || labs.length) entry.kinds.unshift(v === 0 ? 'import' : 'edit');
    for (const [id, snap] of state) {
      entry.counts[snap.lesionClass]++;
      const old = before.get(id);
      if (!old) entry.added[snap.lesionClass]++;
      else if (old.lesionClass !== snap.lesionClass || JSON.stringify(old.points) !== JSON.stringify(snap.points) || JSON.stringify(old.holes) !== JSON.stringify(snap.holes)) entry.changed[snap.lesionClass]++;
    }
    for (const [id, old] of before) if (!state.has(id)) entry.removed[old.lesionClass]++;
    const map = polygonsToLabelMap([...state.values()], slice.width, slice.height);
    if (previousMap) entry.overlapWithPrevious = Object.fromEntries(LESION_CLASSES.map((c, k) => [c, labelOverlap(previousMap!, map, k + 1)])) as PerClassOverlap;
    previousMap = map;
    entries.push(entry);
  }
  return entries;
}
