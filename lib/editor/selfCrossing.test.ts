import { describe, expect, it } from 'vitest';
import { findSelfIntersection, validatePolygon } from '@/lib/annotations/polygon';
import { ringArea, type Point } from '@/lib/imaging/contours';
import { repairOutline, splitAtCrossings } from './selfCrossing';

const valid = (ring: Point[]) => validatePolygon({ points: ring, holes: [] }, 1000, 1000).ok;

describe('self-crossing outlines', () => {
  it('a simple ring comes back unchanged', () => {
    const square: Point[] = [[10, 10], [50, 10], [50, 50], [10, 50]];
    expect(repairOutline(square)).toEqual([square]);
  });

  it('a closed freehand loop that overshoots its start keeps the loop and drops the sliver', () => {
    // A circle of radius 40 traced counter-clockwise from angle 0 to 350°, then on past the start: out across the
    // first edge and back in, the way a hand closes a loop.
    const circle: Point[] = Array.from({ length: 71 }, (_, k) => [100 + 40 * Math.cos((k * 5 * Math.PI) / 180), 100 + 40 * Math.sin((k * 5 * Math.PI) / 180)]);
    const stroke: Point[] = [...circle, [143, 101], [146, 104], [137, 108]];
    expect(findSelfIntersection(stroke)).not.toBeNull();
    const loops = repairOutline(stroke);
    expect(loops).toHaveLength(1);
    expect(valid(loops[0])).toBe(true);
    expect(Math.abs(ringArea(loops[0]))).toBeGreaterThan(Math.PI * 40 * 40 * 0.95);
  });

  it('a figure eight becomes two simple polygons meeting at the crossing', () => {
    const eight: Point[] = [[0, 0], [20, 20], [20, 0], [0, 20]].map(([x, y]) => [x + 10, y + 10] as Point);
    const loops = splitAtCrossings(eight);
    expect(loops).toHaveLength(2);
    expect(loops.every(valid)).toBe(true);
    expect(loops.map((l) => Math.abs(ringArea(l))).sort()).toEqual([100, 100]);
  });

  it('a spike folding back onto itself loses its tip', () => {
    const spiked: Point[] = [[10, 10], [30, 10], [40, 10], [30, 10.000001], [30, 30], [10, 30]].map(([x, y]) => [x, y] as Point);
    const withFold: Point[] = [[10, 10], [30, 10], [30, 30], [30, 40], [30, 30], [10, 30]];
    expect(repairOutline(withFold).every(valid)).toBe(true);
    expect(repairOutline(spiked).every(valid)).toBe(true);
  });

  it('many crossings (a scribble) always end as valid simple polygons', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const scribble: Point[] = Array.from({ length: 40 }, () => [100 + random() * 200, 100 + random() * 200]);
      const loops = repairOutline(scribble);
      expect(loops.length).toBeGreaterThan(0);
      for (const loop of loops) expect(valid(loop)).toBe(true);
    }
  });
});
