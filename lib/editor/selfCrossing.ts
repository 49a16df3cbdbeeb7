/**
 * Repairs an outline that crosses itself, as a freehand stroke does when it overshoots its start or loops into a
 * figure eight: the ring is cut at each crossing into simple loops; loops too small to be meant (the overshoot's
 * sliver, under `minArea` px² or under `minFraction` of the largest loop) are dropped. A simple ring comes back
 * unchanged, so a clean stroke is stored exactly as drawn.
 */
import type { Point } from '@/lib/imaging/contours';
import { ringArea } from '@/lib/imaging/contours';
import { findSelfIntersection, repairRing } from '@/lib/annotations/polygon';

export interface LoopFilter {
  /** Loops with a smaller area (px²) are dropped. */
  minArea: number;
  /** Loops smaller than this fraction of the largest loop are dropped. */
  minFraction: number;
}

/** Specks under 4 px² are dropped at import too; 5 % of the lesion keeps a real second lobe and drops an overshoot. */
export const DEFAULT_LOOP_FILTER: LoopFilter = { minArea: 4, minFraction: 0.05 };

const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

function onSegment(p: Point, a: Point, b: Point): boolean {
  return cross(a, b, p) === 0 && Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

/** A point shared by segments ab and cd (which are known to intersect). */
function sharedPoint(a: Point, b: Point, c: Point, d: Point): Point {
  const denominator = (b[0] - a[0]) * (d[1] - c[1]) - (b[1] - a[1]) * (d[0] - c[0]);
  if (denominator !== 0) {
    const t = ((c[0] - a[0]) * (d[1] - c[1]) - (c[1] - a[1]) * (d[0] - c[0])) / denominator;
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  }
  // Collinear and overlapping: an end point of one lying on the other.
  return [c, d, a, b].find((p, k) => (k < 2 ? onSegment(p, a, b) : onSegment(p, c, d))) ?? a;
}

/** Cuts a ring at its crossings into simple rings (each ≥ 3 distinct vertices; zero-area ones dropped). */
export function splitAtCrossings(input: readonly Point[]): Point[][] {
  const out: Point[][] = [];
  const work: Point[][] = [repairRing(input)];
  while (work.length) {
    const ring = work.pop()!;
    if (ring.length < 3) continue;
    const hit = findSelfIntersection(ring);
    if (!hit) {
      if (Math.abs(ringArea(ring)) > 1e-9) out.push(ring);
      continue;
    }
    const n = ring.length;
    const [i, j] = hit;
    if (j === i + 1 || (i === 0 && j === n - 1)) {
      // Consecutive edges folding back onto each other: a spike; its tip goes.
      const tip = j === i + 1 ? j : 0;
      work.push(repairRing(ring.filter((_, k) => k !== tip)));
      continue;
    }
    const x = sharedPoint(ring[i], ring[i + 1], ring[j], ring[(j + 1) % n]);
    work.push(repairRing([x, ...ring.slice(i + 1, j + 1)]));
    work.push(repairRing([...ring.slice(0, i + 1), x, ...ring.slice(j + 1)]));
  }
  return out;
}

/** The simple polygons an outline stands for: split at its crossings, the unintended slivers dropped. */
export function repairOutline(ring: readonly Point[], filter: LoopFilter = DEFAULT_LOOP_FILTER): Point[][] {
  const loops = splitAtCrossings(ring);
  if (loops.length <= 1) return loops;
  const areas = loops.map((l) => Math.abs(ringArea(l)));
  const largest = Math.max(...areas);
  return loops.filter((_, k) => areas[k] >= filter.minArea && areas[k] >= filter.minFraction * largest);
}
