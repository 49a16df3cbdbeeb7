/**
 * Does any pair of segments intersect? The Shamos–Hoey sweep line: O(n log n) for n segments whatever their
 * shape (a zigzag whose edges all overlap in x costs the same as a circle), stopping at the first intersecting pair.
 *
 * Endpoints are visited left to right (then bottom to top); the segments the sweep line crosses are kept ordered
 * bottom to top in a splay tree. Before the leftmost intersection two segments that meet are neighbours in that
 * order at some event, so checking each inserted segment against its neighbours, and the two segments that become
 * neighbours when one is removed, finds an intersecting pair if there is one. Orientation tests are exact
 * (robust-predicates), so collinear and touching cases are decided the same way every time.
 *
 * `conflicts(a, b)` says whether two segments that share a point matter (a ring's adjacent edges always share a
 * vertex, which is not an intersection); lib/annotations/polygon.ts cross-checks this against the O(n²) rule in
 * its property test.
 */
import { orient2d } from 'robust-predicates';
import SplayTree from 'splaytree';
import type { Point } from '@/lib/imaging/contours';

export interface Segment {
  a: Point;
  b: Point;
}

interface Swept<S> {
  seg: S;
  /** Left (lexicographically smaller) and right endpoints. */
  l: Point;
  r: Point;
  id: number;
}

const comparePoints = (p: Point, q: Point) => p[0] - q[0] || p[1] - q[1];
/** Which side of the directed line p→q the point c lies on: 1 left (above for a rightward line), -1 right, 0 on it. */
const side = (p: Point, q: Point, c: Point) => Math.sign(-orient2d(p[0], p[1], q[0], q[1], c[0], c[1]));

/** True when segments ab and cd share any point (crossing, touching or overlapping); exact. */
export function segmentsIntersect(a: Point, b: Point, c: Point, d: Point): boolean {
  const o1 = side(a, b, c);
  const o2 = side(a, b, d);
  const o3 = side(c, d, a);
  const o4 = side(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  const within = (p: Point, q: Point, x: Point) => Math.min(p[0], q[0]) <= x[0] && x[0] <= Math.max(p[0], q[0]) && Math.min(p[1], q[1]) <= x[1] && x[1] <= Math.max(p[1], q[1]);
  return (o1 === 0 && within(a, b, c)) || (o2 === 0 && within(a, b, d)) || (o3 === 0 && within(c, d, a)) || (o4 === 0 && within(c, d, b));
}

/** True when ab and cd cross at a single point interior to both (not touching, not overlapping). */
export function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const o1 = side(a, b, c);
  const o2 = side(a, b, d);
  const o3 = side(c, d, a);
  const o4 = side(c, d, b);
  return o1 * o2 < 0 && o3 * o4 < 0;
}

/** Bottom-to-top order of two segments the sweep line crosses, evaluated where both exist. */
function below<S>(x: Swept<S>, y: Swept<S>): number {
  if (x === y) return 0;
  if (comparePoints(x.l, y.l) >= 0) {
    const s = side(y.l, y.r, x.l) || side(y.l, y.r, x.r);
    return s !== 0 ? s : x.id - y.id;
  }
  const s = side(x.l, x.r, y.l) || side(x.l, x.r, y.r);
  return s !== 0 ? -s : x.id - y.id;
}

/**
 * The first pair of segments for which `meets(a, b)` holds, or null. `meets` is only asked about pairs the sweep
 * finds next to each other; it decides what counts (e.g. any shared point, or only a proper crossing).
 */
export function firstIntersection<S extends Segment>(segments: readonly S[], meets: (a: S, b: S) => boolean): [S, S] | null {
  const swept: Swept<S>[] = segments.map((seg, id) => (comparePoints(seg.a, seg.b) <= 0 ? { seg, l: seg.a, r: seg.b, id } : { seg, l: seg.b, r: seg.a, id }));
  // Events: 0 = remove at r, 1 = insert at l; at one point removals go first.
  const events: [Point, 0 | 1, Swept<S>][] = [];
  for (const s of swept) events.push([s.l, 1, s], [s.r, 0, s]);
  events.sort((e, f) => comparePoints(e[0], f[0]) || e[1] - f[1] || e[2].id - f[2].id);
  const status = new SplayTree<Swept<S>, null>(below);
  const nodes = new Map<number, ReturnType<typeof status.insert>>();
  const check = (x: Swept<S> | undefined, y: Swept<S> | undefined): [S, S] | null => (x && y && meets(x.seg, y.seg) ? [x.seg, y.seg] : null);
  for (const [, kind, s] of events) {
    if (kind === 1) {
      const node = status.insert(s, null);
      nodes.set(s.id, node);
      const hit = check(s, status.prev(node)?.key) ?? check(s, status.next(node)?.key);
      if (hit) return hit;
    } else {
      const node = nodes.get(s.id)!;
      const above = status.next(node)?.key;
      const under = status.prev(node)?.key;
      status.remove(s);
      nodes.delete(s.id);
      const hit = check(under, above);
      if (hit) return hit;
    }
  }
  return null;
}
