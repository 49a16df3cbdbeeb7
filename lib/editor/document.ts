/**
 * The editor's document: the polygons and slice class of one slice as the annotator edits them, with pure edit
 * operations and an undo/redo history. React state holds a History; every user action is one `apply`.
 */
import type { LesionClass, Point } from '@/lib/imaging/contours';

export type PolygonSource = 'HUMAN' | 'IMPORTED' | 'MODEL';

export interface EditorPolygon {
  /** Stable key in the editor; equals the database id once saved. */
  key: string;
  /** Database id, absent until the server has stored it. */
  id?: string;
  lesionClass: LesionClass;
  points: Point[];
  holes: Point[][];
  source: PolygonSource;
}

export interface EditorDoc {
  polygons: EditorPolygon[];
  sliceClass: string | null;
  unsure: boolean;
}

/** Which ring of a polygon: -1 the outer ring, k ≥ 0 hole k. */
export type RingIndex = number;

export type EditOp =
  | { type: 'add'; polygon: EditorPolygon }
  | { type: 'delete'; key: string }
  | { type: 'move'; key: string; dx: number; dy: number }
  | { type: 'setClass'; key: string; lesionClass: LesionClass }
  | { type: 'moveVertex'; key: string; ring: RingIndex; index: number; to: Point }
  | { type: 'insertVertex'; key: string; ring: RingIndex; after: number; at: Point }
  | { type: 'deleteVertex'; key: string; ring: RingIndex; index: number }
  | { type: 'setSliceClass'; sliceClass: string | null }
  | { type: 'setUnsure'; unsure: boolean }
  /**
   * Replaces polygons by others in one step (a brush, eraser or wand result: merged, cut or split outlines). The
   * added polygons take the place of the first removed one; one that keeps a removed polygon's key and id is an
   * update of it on the server.
   */
  | { type: 'replace'; remove: string[]; add: EditorPolygon[] }
  /** Accept model proposals: copies them into the annotation as the annotator's own polygons. */
  | { type: 'acceptProposals'; proposals: EditorPolygon[]; newKey: () => string };

function ringOf(p: EditorPolygon, ring: RingIndex): Point[] {
  return ring < 0 ? p.points : p.holes[ring];
}

function withRing(p: EditorPolygon, ring: RingIndex, points: Point[]): EditorPolygon {
  return ring < 0 ? { ...p, points } : { ...p, holes: p.holes.map((h, k) => (k === ring ? points : h)) };
}

function updatePolygon(doc: EditorDoc, key: string, change: (p: EditorPolygon) => EditorPolygon): EditorDoc {
  let changed = false;
  const polygons = doc.polygons.map((p) => {
    if (p.key !== key) return p;
    const next = change(p);
    changed = next !== p;
    return next;
  });
  return changed ? { ...doc, polygons } : doc;
}

/** Applies one edit; returns the same object when the edit changes nothing (so no undo step is recorded). */
export function applyEdit(doc: EditorDoc, op: EditOp): EditorDoc {
  switch (op.type) {
    case 'add':
      return { ...doc, polygons: [...doc.polygons, op.polygon] };
    case 'delete':
      return doc.polygons.some((p) => p.key === op.key) ? { ...doc, polygons: doc.polygons.filter((p) => p.key !== op.key) } : doc;
    case 'move':
      if (op.dx === 0 && op.dy === 0) return doc;
      return updatePolygon(doc, op.key, (p) => {
        const shift = (r: Point[]): Point[] => r.map(([x, y]) => [x + op.dx, y + op.dy]);
        return { ...p, points: shift(p.points), holes: p.holes.map(shift) };
      });
    case 'setClass':
      return updatePolygon(doc, op.key, (p) => (p.lesionClass === op.lesionClass ? p : { ...p, lesionClass: op.lesionClass }));
    case 'moveVertex':
      return updatePolygon(doc, op.key, (p) => withRing(p, op.ring, ringOf(p, op.ring).map((v, k) => (k === op.index ? op.to : v))));
    case 'insertVertex':
      return updatePolygon(doc, op.key, (p) => {
        const ring = ringOf(p, op.ring).slice();
        ring.splice(op.after + 1, 0, op.at);
        return withRing(p, op.ring, ring);
      });
    case 'deleteVertex':
      return updatePolygon(doc, op.key, (p) => {
        const ring = ringOf(p, op.ring);
        // A ring keeps at least 3 vertices: deleting below that would make an invalid polygon.
        if (ring.length <= 3) return p;
        return withRing(p, op.ring, ring.filter((_, k) => k !== op.index));
      });
    case 'setSliceClass':
      return doc.sliceClass === op.sliceClass ? doc : { ...doc, sliceClass: op.sliceClass };
    case 'setUnsure':
      return doc.unsure === op.unsure ? doc : { ...doc, unsure: op.unsure };
    case 'replace': {
      const removed = new Set(op.remove.filter((key) => doc.polygons.some((p) => p.key === key)));
      if (removed.size === 0 && op.add.length === 0) return doc;
      const at = doc.polygons.findIndex((p) => removed.has(p.key));
      const kept = doc.polygons.filter((p) => !removed.has(p.key));
      const insertAt = at < 0 ? kept.length : doc.polygons.slice(0, at).filter((p) => !removed.has(p.key)).length;
      return { ...doc, polygons: [...kept.slice(0, insertAt), ...op.add, ...kept.slice(insertAt)] };
    }
    case 'acceptProposals':
      if (op.proposals.length === 0) return doc;
      return {
        ...doc,
        polygons: [
          ...doc.polygons,
          ...op.proposals.map((p) => ({ key: op.newKey(), lesionClass: p.lesionClass, points: p.points, holes: p.holes, source: 'HUMAN' as const })),
        ],
      };
  }
}

export interface History {
  past: EditorDoc[];
  present: EditorDoc;
  future: EditorDoc[];
}

/** Undo depth: generous for a session, bounded so a day of edits cannot exhaust memory. */
export const MAX_UNDO = 500;

export const startHistory = (doc: EditorDoc): History => ({ past: [], present: doc, future: [] });

export function record(history: History, op: EditOp): History {
  const next = applyEdit(history.present, op);
  if (next === history.present) return history;
  return { past: [...history.past, history.present].slice(-MAX_UNDO), present: next, future: [] };
}

export function undo(history: History): History {
  if (history.past.length === 0) return history;
  return { past: history.past.slice(0, -1), present: history.past[history.past.length - 1], future: [history.present, ...history.future] };
}

export function redo(history: History): History {
  if (history.future.length === 0) return history;
  return { past: [...history.past, history.present], present: history.future[0], future: history.future.slice(1) };
}

interface ServerPolygon {
  id: string;
  lesionClass: string;
  points: unknown;
  holes: unknown;
}

/**
 * When a save is refused as stale, the server may already hold exactly this work (the same edits delivered twice:
 * by a page that was closing and by its reload, or a retry whose first answer was lost). Then there is no conflict:
 * returns the server's id for each polygon key; null when the contents differ.
 */
export function sameWorkAsServer(doc: EditorDoc, server: { polygons: ServerPolygon[]; sliceClass: string | null; unsure: boolean }): Record<string, string> | null {
  if (doc.sliceClass !== null && (doc.sliceClass !== server.sliceClass || doc.unsure !== server.unsure)) return null;
  if (doc.polygons.length !== server.polygons.length) return null;
  const key = (p: { lesionClass: string; points: unknown; holes: unknown }) => JSON.stringify([p.lesionClass, p.points, p.holes]);
  const byContent = new Map<string, string[]>();
  for (const p of server.polygons) byContent.set(key(p), [...(byContent.get(key(p)) ?? []), p.id]);
  const ids: Record<string, string> = {};
  for (const p of doc.polygons) {
    const match = byContent.get(key(p))?.shift();
    if (!match) return null;
    ids[p.key] = match;
  }
  return ids;
}
