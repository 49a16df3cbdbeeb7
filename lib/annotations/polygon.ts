/**
 * What a valid lesion polygon is: the one rule the editor, the save API and the importer share.
 *
 * A ring is a list of [x, y] image-pixel coordinates, not closed (last ≠ first). Valid means: at least 3 distinct
 * vertices, at most MAX_RING_VERTICES, finite numbers inside [0, width] × [0, height], a non-zero area and no two
 * edges crossing or touching (a simple polygon). Holes must be valid rings inside the outer ring.
 * `repairRing` fixes only what cannot change the shape: repeated consecutive vertices and a closing duplicate.
 */
import type { Point } from '@/lib/imaging/contours';
import { ringArea } from '@/lib/imaging/contours';

export const MAX_RING_VERTICES = 2_000;
export const MAX_HOLES = 50;
export const MAX_POLYGONS_PER_SLICE = 1_000;

export interface Ring2D {
  points: Point[];
  holes: Point[][];
}

/** Drops repeated consecutive vertices and a closing vertex equal to the first. */
export function repairRing(ring: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push([p[0], p[1]]);
  }
  while (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
  return out;
}

function orientation(a: Point, b: Point, c: Point): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(a: Point, b: Point, p: Point): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

/** True when segments ab and cd share any point (crossing, touching or overlapping). */
export function segmentsIntersect(a: Point, b: Point, c: Point, d: Point): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) || (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b));
}

/**
 * Index pair of the first two non-adjacent edges that intersect, or null for a simple ring. Edges are sorted
 * by their left x so each edge is only compared with the ones whose x-range overlaps (near O(n log n) for
 * the polygons annotators draw).
 */
export function findSelfIntersection(ring: readonly Point[]): [number, number] | null {
  const n = ring.length;
  const edges = Array.from({ length: n }, (_, i) => {
    const a = ring[i];
    const b = ring[(i + 1) % n];
    return { i, a, b, minX: Math.min(a[0], b[0]), maxX: Math.max(a[0], b[0]), minY: Math.min(a[1], b[1]), maxY: Math.max(a[1], b[1]) };
  }).sort((e, f) => e.minX - f.minX);
  for (let s = 0; s < n; s++) {
    const e = edges[s];
    for (let t = s + 1; t < n && edges[t].minX <= e.maxX; t++) {
      const f = edges[t];
      if (f.minY > e.maxY || f.maxY < e.minY) continue;
      const gap = Math.abs(e.i - f.i);
      if (gap === 1 || gap === n - 1) {
        // Adjacent edges share a vertex by construction; they are wrong only if they fold back onto each other.
        const shared = gap === 1 ? Math.max(e.i, f.i) : 0;
        const prev = ring[(shared - 1 + n) % n];
        const next = ring[(shared + 1) % n];
        if (orientation(prev, ring[shared], next) === 0 && (next[0] - ring[shared][0]) * (prev[0] - ring[shared][0]) + (next[1] - ring[shared][1]) * (prev[1] - ring[shared][1]) > 0) {
          return [Math.min(e.i, f.i), Math.max(e.i, f.i)];
        }
        continue;
      }
      if (segmentsIntersect(e.a, e.b, f.a, f.b)) return [Math.min(e.i, f.i), Math.max(e.i, f.i)];
    }
  }
  return null;
}

/** Even-odd point-in-ring test. */
export function pointInRing(p: Point, ring: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Why a ring is invalid, or null. `what` names it in the message (e.g. "polygon 3 hole 1"). */
export function ringProblem(ring: readonly Point[], width: number, height: number, what: string): string | null {
  if (ring.length < 3) return `${what} has ${ring.length} distinct vertices; a polygon needs at least 3`;
  if (ring.length > MAX_RING_VERTICES) return `${what} has ${ring.length} vertices; at most ${MAX_RING_VERTICES} are allowed`;
  for (const [k, p] of ring.entries()) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) return `${what} vertex ${k} is not a finite number`;
    if (p[0] < 0 || p[1] < 0 || p[0] > width || p[1] > height) {
      return `${what} vertex ${k} (${p[0]}, ${p[1]}) lies outside the ${width}×${height} image`;
    }
  }
  const crossing = findSelfIntersection(ring);
  if (crossing) return `${what} intersects itself (edges ${crossing[0]} and ${crossing[1]})`;
  if (Math.abs(ringArea(ring)) < 1e-9) return `${what} has zero area`;
  return null;
}

/** Repairs then validates a polygon with holes; returns the repaired polygon or the reason it is invalid. */
export function validatePolygon(polygon: Ring2D, width: number, height: number, what = 'polygon'): { ok: true; polygon: Ring2D } | { ok: false; error: string } {
  const points = repairRing(polygon.points);
  const problem = ringProblem(points, width, height, what);
  if (problem) return { ok: false, error: problem };
  if (polygon.holes.length > MAX_HOLES) return { ok: false, error: `${what} has ${polygon.holes.length} holes; at most ${MAX_HOLES} are allowed` };
  const holes: Point[][] = [];
  for (const [h, raw] of polygon.holes.entries()) {
    const hole = repairRing(raw);
    const holeProblem = ringProblem(hole, width, height, `${what} hole ${h}`);
    if (holeProblem) return { ok: false, error: holeProblem };
    if (!hole.every((p) => pointInRing(p, points))) return { ok: false, error: `${what} hole ${h} is not inside its outer ring` };
    holes.push(hole);
  }
  return { ok: true, polygon: { points, holes } };
}
