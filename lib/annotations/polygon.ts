/**
 * What a valid lesion polygon is: the one rule the editor, the save API and the model's proposals share.
 *
 * A ring is a list of [x, y] image-pixel coordinates, not closed (last ≠ first). Valid means: at least 3 distinct
 * vertices, at most MAX_RING_VERTICES, finite numbers inside [0, width] × [0, height], a non-zero area and no two
 * edges crossing or touching (a simple polygon). Holes must be valid rings inside the outer ring and cross neither
 * it nor each other. `repairRing` fixes only what cannot change the shape: repeated consecutive vertices and a
 * closing duplicate.
 *
 * Cost: one sweep line per polygon (lib/annotations/segmentSweep.ts), O(n log n) in its vertices whatever their
 * shape; a save is further bounded by MAX_VERTICES_PER_REQUEST, so one request cannot keep the server busy.
 */
import type { Point } from '@/lib/imaging/contours';
import { ringArea } from '@/lib/imaging/contours';
import { firstIntersection, segmentsCross, segmentsIntersect } from './segmentSweep';

export const MAX_RING_VERTICES = 2_000;
export const MAX_HOLES = 50;
export const MAX_POLYGONS_PER_SLICE = 1_000;
/**
 * Vertices (outer rings and holes) of all polygons of one save. A dense real annotation (200 lesions drawn
 * freehand) has about 10,000; the budget leaves ten times that, and validates in well under a second.
 */
export const MAX_VERTICES_PER_REQUEST = 100_000;

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

interface Edge {
  a: Point;
  b: Point;
  ring: number;
  i: number;
  /** Vertices of its ring. */
  n: number;
}

const ringEdges = (ring: readonly Point[], r: number): Edge[] => ring.map((a, i) => ({ a, b: ring[(i + 1) % ring.length], ring: r, i, n: ring.length }));
const adjacent = (e: Edge, f: Edge) => e.ring === f.ring && (Math.abs(e.i - f.i) === 1 || Math.abs(e.i - f.i) === e.n - 1);

/** Index pair of two consecutive edges that fold back onto each other (a spike of zero width), or null. */
function findFoldBack(ring: readonly Point[]): [number, number] | null {
  const n = ring.length;
  for (let i = 0; i < n; i++) {
    const [prev, v, next] = [ring[(i - 1 + n) % n], ring[i], ring[(i + 1) % n]];
    const cross = (next[0] - v[0]) * (prev[1] - v[1]) - (next[1] - v[1]) * (prev[0] - v[0]);
    const dot = (next[0] - v[0]) * (prev[0] - v[0]) + (next[1] - v[1]) * (prev[1] - v[1]);
    if (cross === 0 && dot > 0) return i === 0 ? [0, n - 1] : [i - 1, i];
  }
  return null;
}

/** Index pair of two edges that share a point other than their common vertex, or null for a simple ring. */
export function findSelfIntersection(ring: readonly Point[]): [number, number] | null {
  const fold = findFoldBack(ring);
  if (fold) return fold;
  const hit = firstIntersection(ringEdges(ring, 0), (e, f) => !adjacent(e, f) && segmentsIntersect(e.a, e.b, f.a, f.b));
  return hit ? [Math.min(hit[0].i, hit[1].i), Math.max(hit[0].i, hit[1].i)] : null;
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
    holes.push(hole);
  }
  if (holes.length === 0) return { ok: true, polygon: { points, holes } };
  // Rings of one polygon may touch but not cross; then one vertex of a hole tells whether all of it is inside.
  const rings = [points, ...holes];
  const crossing = firstIntersection(rings.flatMap(ringEdges), (e, f) => e.ring !== f.ring && segmentsCross(e.a, e.b, f.a, f.b));
  if (crossing) {
    const name = (r: number) => (r === 0 ? 'its outer ring' : `hole ${r - 1}`);
    return { ok: false, error: `${what} hole ${Math.max(crossing[0].ring, crossing[1].ring) - 1} crosses ${name(Math.min(crossing[0].ring, crossing[1].ring))}` };
  }
  for (const [h, hole] of holes.entries()) {
    if (!hole.some((p) => pointInRing(p, points))) return { ok: false, error: `${what} hole ${h} is not inside its outer ring` };
  }
  return { ok: true, polygon: { points, holes } };
}

export type PolygonCheck = { ok: true; polygon: Ring2D } | { ok: false; error: string };

/** validatePolygon over a request's polygons, each named by `what` in its message. */
export function validatePolygons(polygons: (Ring2D & { what: string })[], width: number, height: number): PolygonCheck[] {
  return polygons.map((p) => validatePolygon(p, width, height, p.what));
}
