import { describe, expect, it } from 'vitest';
import { fitView, nearestEdge, polygonAt, simplifyTrace, toImage, zoomAround } from './geometry';

describe('editor view maths', () => {
  it('fits the image centred in the stage', () => {
    const v = fitView(512, 256, 1016, 1016, 8);
    expect(v.scale).toBeCloseTo(1000 / 512);
    expect(v.x).toBeCloseTo(8);
    expect(v.y).toBeCloseTo((1016 - 256 * v.scale) / 2);
  });

  it('keeps the image point under the cursor fixed while zooming', () => {
    const v = { scale: 2, x: 30, y: -10 };
    const cursor: [number, number] = [400, 300];
    const before = toImage(v, cursor);
    const after = toImage(zoomAround(v, cursor, 1.7), cursor);
    expect(after[0]).toBeCloseTo(before[0], 9);
    expect(after[1]).toBeCloseTo(before[1], 9);
  });

  it('finds the edge to insert a vertex on, including the closing edge', () => {
    const square: [number, number][] = [[0, 0], [10, 0], [10, 10], [0, 10]];
    expect(nearestEdge(square, [5, 1])).toMatchObject({ after: 0, at: [5, 0], distance: 1 });
    expect(nearestEdge(square, [-2, 5])).toMatchObject({ after: 3, at: [0, 5], distance: 2 });
  });

  it('hit-tests polygons like the drawn shapes: fill without holes, outline within tolerance, topmost first', () => {
    const framed = { points: [[0, 0], [20, 0], [20, 20], [0, 20]] as [number, number][], holes: [[[5, 5], [15, 5], [15, 15], [5, 15]]] as [number, number][][] };
    const overlapping = { points: [[10, 10], [30, 10], [30, 30], [10, 30]] as [number, number][], holes: [] };
    const both = [framed, overlapping];
    expect(polygonAt(both, [2, 2], 0.5)).toBe(0);
    expect(polygonAt(both, [7, 7], 0.5)).toBe(-1); // in the hole, outside the other
    expect(polygonAt(both, [7, 5.3], 0.5)).toBe(0); // on the hole's outline
    expect(polygonAt(both, [12, 12], 0.5)).toBe(1); // the hole of 0 is covered by 1
    expect(polygonAt(both, [18, 18], 0.5)).toBe(1); // both fills: the one drawn last is on top
    expect(polygonAt([overlapping, framed], [18, 18], 0.5)).toBe(1);
    expect(polygonAt(both, [-0.4, 3], 0.5)).toBe(0);
    expect(polygonAt(both, [-0.6, 3], 0.5)).toBe(-1);
    expect(polygonAt([], [1, 1], 1)).toBe(-1);
  });

  it('simplifies a dense freehand trace without moving its shape', () => {
    const circle = Array.from({ length: 720 }, (_, k) => [50 + 30 * Math.cos((k * Math.PI) / 360), 50 + 30 * Math.sin((k * Math.PI) / 360)] as [number, number]);
    const simple = simplifyTrace(circle, 1);
    expect(simple.length).toBeLessThan(120);
    expect(simple.length).toBeGreaterThan(12);
    for (const [x, y] of simple) expect(Math.hypot(x - 50, y - 50)).toBeCloseTo(30, 5);
  });
});
