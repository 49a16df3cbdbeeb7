import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Point } from '@/lib/imaging/contours';
import { findSelfIntersection, MAX_RING_VERTICES, pointInRing, repairRing, validatePolygon } from './polygon';
import { segmentsIntersect } from './segmentSweep';

const square: Point[] = [[10, 10], [50, 10], [50, 50], [10, 50]];

describe('lesion polygon validation', () => {
  it('accepts a simple polygon, and one with a hole inside it', () => {
    expect(validatePolygon({ points: square, holes: [] }, 100, 100)).toEqual({ ok: true, polygon: { points: square, holes: [] } });
    const hole: Point[] = [[20, 20], [30, 20], [30, 30]];
    expect(validatePolygon({ points: square, holes: [hole] }, 100, 100).ok).toBe(true);
  });

  it('repairs only shape-preserving defects: repeated and closing vertices', () => {
    expect(repairRing([[0, 0], [0, 0], [4, 0], [4, 4], [0, 0]])).toEqual([[0, 0], [4, 0], [4, 4]]);
    const result = validatePolygon({ points: [...square, [10, 10]], holes: [] }, 100, 100);
    expect(result).toEqual({ ok: true, polygon: { points: square, holes: [] } });
  });

  it.each([
    ['two vertices', [[1, 1], [5, 5]], /at least 3/],
    ['a bow tie', [[10, 10], [50, 50], [50, 10], [10, 50]], /intersects itself/],
    ['a vertex outside the image', [[10, 10], [150, 10], [50, 50]], /outside the 100×100 image/],
    ['a negative coordinate', [[-1, 10], [50, 10], [50, 50]], /outside/],
    ['NaN', [[Number.NaN, 10], [50, 10], [50, 50]], /finite/],
    ['collinear points (no area)', [[10, 10], [20, 20], [30, 30]], /zero area|intersects itself/],
    ['an edge folding back on itself', [[10, 10], [40, 10], [20, 10], [20, 40]], /intersects itself/],
  ] as [string, Point[], RegExp][])('refuses %s with a message', (_name, points, message) => {
    const result = validatePolygon({ points, holes: [] }, 100, 100);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('refuses too many vertices and holes outside the outer ring', () => {
    const many: Point[] = Array.from({ length: MAX_RING_VERTICES + 1 }, (_, k) => {
      const a = (2 * Math.PI * k) / (MAX_RING_VERTICES + 1);
      return [50 + 40 * Math.cos(a), 50 + 40 * Math.sin(a)];
    });
    expect(validatePolygon({ points: many, holes: [] }, 100, 100)).toMatchObject({ ok: false, error: expect.stringMatching(/at most 2000/) });
    expect(validatePolygon({ points: square, holes: [[[60, 60], [70, 60], [70, 70]]] }, 100, 100)).toMatchObject({ ok: false, error: expect.stringMatching(/not inside/) });
  });

  it('finds crossings in a large simple ring quickly and correctly', () => {
    const circle: Point[] = Array.from({ length: 2000 }, (_, k) => [500 + 400 * Math.cos((2 * Math.PI * k) / 2000), 500 + 400 * Math.sin((2 * Math.PI * k) / 2000)]);
    expect(findSelfIntersection(circle)).toBeNull();
    const crossed = circle.slice();
    [crossed[10], crossed[1000]] = [crossed[1000], crossed[10]];
    expect(findSelfIntersection(crossed)).not.toBeNull();
  });

  it('tests points against a ring with the even-odd rule', () => {
    expect(pointInRing([30, 30], square)).toBe(true);
    expect(pointInRing([60, 30], square)).toBe(false);
  });

  it('refuses a hole that crosses its outer ring or another hole', () => {
    const big: Point[] = [[10, 10], [90, 10], [90, 90], [10, 90]];
    expect(validatePolygon({ points: big, holes: [[[20, 20], [95, 20], [20, 40]]] }, 100, 100)).toMatchObject({ ok: false, error: expect.stringMatching(/hole 0 crosses its outer ring/) });
    const a: Point[] = [[20, 20], [60, 20], [60, 60], [20, 60]];
    const b: Point[] = [[40, 40], [80, 40], [80, 80], [40, 80]];
    expect(validatePolygon({ points: big, holes: [a, b] }, 100, 100)).toMatchObject({ ok: false, error: expect.stringMatching(/hole 1 crosses hole 0/) });
  });

  it('decides simplicity exactly as the all-pairs rule does (random rings on a small grid: many touching and collinear cases)', () => {
    // The O(n²) definition: some pair of non-adjacent edges shares a point, or two adjacent edges fold back.
    const bruteForce = (ring: Point[]) => {
      const n = ring.length;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const gap = j - i;
          if (gap === 1 || gap === n - 1) continue;
          if (segmentsIntersect(ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n])) return true;
        }
      }
      return false;
    };
    const foldBack = (ring: Point[]) => ring.some((v, i) => {
      const prev = ring[(i - 1 + ring.length) % ring.length];
      const next = ring[(i + 1) % ring.length];
      const cross = (next[0] - v[0]) * (prev[1] - v[1]) - (next[1] - v[1]) * (prev[0] - v[0]);
      return cross === 0 && (next[0] - v[0]) * (prev[0] - v[0]) + (next[1] - v[1]) * (prev[1] - v[1]) > 0;
    });
    const ring = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), { minLength: 3, maxLength: 14 }).map((r) => repairRing(r as Point[])).filter((r) => r.length >= 3);
    fc.assert(fc.property(ring, (r) => (findSelfIntersection(r) !== null) === (bruteForce(r) || foldBack(r))), { numRuns: 5000, seed: 11 });
  });

  it('validates the hostile zigzag of issue 11 in linear-logarithmic time: 40 rings of 1,999 vertices', () => {
    // Every edge spans the whole height, so any check that prunes by bounding boxes degenerates to all pairs.
    const zigzag: Point[] = Array.from({ length: 1999 }, (_, k) => (k === 1998 ? [0, 1000] : [(k * 1000) / 1998, k % 2 === 0 ? 0 : 999]));
    const started = performance.now();
    for (let k = 0; k < 40; k++) expect(validatePolygon({ points: zigzag, holes: [] }, 1000, 1000).ok).toBe(true);
    const ms = performance.now() - started;
    console.log(`40 zigzag rings of 1,999 vertices validated in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(2_000);
  });
});
