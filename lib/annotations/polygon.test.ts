import { describe, expect, it } from 'vitest';
import type { Point } from '@/lib/imaging/contours';
import { findSelfIntersection, MAX_RING_VERTICES, pointInRing, repairRing, validatePolygon } from './polygon';

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
});
