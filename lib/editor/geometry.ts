/** Pure view and hit-test maths of the editor canvas. */
import simplify from 'simplify-js';
import { pointInRing } from '@/lib/annotations/polygon';
import type { Point } from '@/lib/imaging/contours';

/** Screen = image × scale + offset. */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 40;

/** The view that fits the whole image in the stage, centred, with a small margin. */
export function fitView(imageW: number, imageH: number, stageW: number, stageH: number, margin = 8): View {
  const scale = Math.max(MIN_SCALE, Math.min((stageW - 2 * margin) / imageW, (stageH - 2 * margin) / imageH));
  return { scale, x: (stageW - imageW * scale) / 2, y: (stageH - imageH * scale) / 2 };
}

/** Zooms by `factor` keeping the image point under `screen` fixed (zoom around the cursor). */
export function zoomAround(view: View, screen: Point, factor: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const k = scale / view.scale;
  return { scale, x: screen[0] - (screen[0] - view.x) * k, y: screen[1] - (screen[1] - view.y) * k };
}

export function toImage(view: View, screen: Point): Point {
  return [(screen[0] - view.x) / view.scale, (screen[1] - view.y) / view.scale];
}

export function clampToImage(p: Point, width: number, height: number): Point {
  return [Math.min(width, Math.max(0, p[0])), Math.min(height, Math.max(0, p[1]))];
}

/** Squared distance from p to segment ab, and the closest point on it. */
export function nearestOnSegment(p: Point, a: Point, b: Point): { d2: number; at: Point } {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  const at: Point = [a[0] + t * dx, a[1] + t * dy];
  return { d2: (p[0] - at[0]) ** 2 + (p[1] - at[1]) ** 2, at };
}

/** The edge of a closed ring nearest to p: insert a vertex after index `after`, at `at`. */
export function nearestEdge(ring: readonly Point[], p: Point): { after: number; at: Point; distance: number } {
  let best = { after: 0, at: ring[0], d2: Infinity };
  for (let i = 0; i < ring.length; i++) {
    const hit = nearestOnSegment(p, ring[i], ring[(i + 1) % ring.length]);
    if (hit.d2 < best.d2) best = { after: i, at: hit.at, d2: hit.d2 };
  }
  return { after: best.after, at: best.at, distance: Math.sqrt(best.d2) };
}

/** A polygon as the canvas hit-tests it: outer ring and holes. */
export interface HitPolygon {
  points: readonly Point[];
  holes: readonly (readonly Point[])[];
}

/**
 * Index of the topmost polygon (last in drawing order) under image point p, or -1: p is in its fill (even-odd, so a
 * hole is not part of it) or within `tolerance` of an edge of any of its rings (the drawn outline).
 */
export function polygonAt(polygons: readonly HitPolygon[], p: Point, tolerance: number): number {
  for (let k = polygons.length - 1; k >= 0; k--) {
    const { points, holes } = polygons[k];
    const inFill = pointInRing(p, points) && !holes.some((h) => pointInRing(p, h));
    if (inFill || [points, ...holes].some((ring) => nearestEdge(ring, p).distance <= tolerance)) return k;
  }
  return -1;
}

/**
 * A freehand trace as a polygon: Douglas–Peucker with a tolerance of about one screen pixel, so the shape the
 * annotator saw is kept while the vertex count drops by an order of magnitude.
 */
export function simplifyTrace(trace: readonly Point[], scale: number): Point[] {
  const tolerance = Math.max(0.25, 1 / scale);
  return simplify(trace.map(([x, y]) => ({ x, y })), tolerance, true).map((q) => [q.x, q.y] as Point);
}
