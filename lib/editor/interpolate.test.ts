import { describe, expect, it } from 'vitest';
import { applyEdit, type EditorPolygon } from './document';
import { interpolateOutlines, signedDistance } from './interpolate';
import { polygonArea } from './lesionList';
import { rasterise } from './raster';

const raster = { width: 100, height: 100 };
const square = (cx: number, cy: number, half: number, lesionClass: 'GGO' | 'C' = 'GGO') => ({ lesionClass, points: [[cx - half, cy - half], [cx + half, cy - half], [cx + half, cy + half], [cx - half, cy + half]] as [number, number][], holes: [] });
const centroid = (p: EditorPolygon) => {
  const n = p.points.length;
  return [p.points.reduce((s, q) => s + q[0], 0) / n, p.points.reduce((s, q) => s + q[1], 0) / n];
};

describe('interpolation between two labelled slices', () => {
  it('signed distance is negative inside, positive outside, about the distance to the edge', () => {
    const d = signedDistance(rasterise([square(50, 50, 10)], raster), raster);
    expect(d[50 * 100 + 50]).toBeLessThan(-8);
    expect(d[50 * 100 + 70]).toBeGreaterThan(8);
    expect(d[50 * 100 + 70]).toBeLessThan(12);
  });

  it('a lesion growing from 20 to 40 px across is in between halfway (rounded at the corners, as distance blending does)', () => {
    const op = interpolateOutlines([square(50, 50, 10)], [square(50, 50, 20)], raster, 0.5, () => 'k')!;
    const [p] = applyEdit({ polygons: [], sliceClass: null, unsure: false }, op).polygons;
    const xs = p.points.map((q) => q[0]);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(28); // 30 px across along the axes
    expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(32);
    expect(polygonArea(p)).toBeGreaterThan(20 * 20);
    expect(polygonArea(p)).toBeLessThan(30 * 30);
  });

  it('a lesion that moves (overlapping itself, as between adjacent slices) is halfway along at t = 0.5, a quarter at 0.25', () => {
    for (const [t, expected] of [[0.5, 50], [0.25, 45]] as const) {
      const op = interpolateOutlines([square(40, 50, 15)], [square(60, 50, 15)], raster, t, () => 'k')!;
      const [p] = applyEdit({ polygons: [], sliceClass: null, unsure: false }, op).polygons;
      expect(Math.abs(centroid(p)[0] - expected)).toBeLessThan(1.5);
      expect(Math.abs(centroid(p)[1] - 50)).toBeLessThan(1.5);
    }
  });

  it('each class on its own; a class labelled on one side only is not guessed', () => {
    const op = interpolateOutlines([square(30, 30, 8), square(70, 70, 8, 'C')], [square(30, 30, 8)], raster, 0.5, () => 'k')!;
    const polygons = applyEdit({ polygons: [], sliceClass: null, unsure: false }, op).polygons;
    expect(polygons.map((p) => p.lesionClass)).toEqual(['GGO']);
    expect(interpolateOutlines([], [square(30, 30, 8)], raster, 0.5, () => 'k')).toBeNull();
  });
});
