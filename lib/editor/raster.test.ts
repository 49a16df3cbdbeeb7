import { describe, expect, it } from 'vitest';
import { growRegion, maskToPolygons, rasterise, strokeMask } from './raster';
import { validatePolygon } from '@/lib/annotations/polygon';
import { ringArea } from '@/lib/imaging/contours';

const raster = { width: 40, height: 30 };
const count = (m: Uint8Array) => m.reduce((n, v) => n + v, 0);

describe('editor masks', () => {
  it('a brush dab covers the pixels whose centre lies within the radius', () => {
    const dab = strokeMask([[10, 10]], 3, raster);
    // Pixel centres within 3 of (10, 10): the lattice points of a radius-3 disc around a pixel corner.
    expect(count(dab)).toBe(32);
    expect(dab[10 * 40 + 10]).toBe(1);
    expect(dab[10 * 40 + 13]).toBe(0);
  });

  it('a stroke covers the capsule around its polyline, only where `allow` says', () => {
    const stroke = strokeMask([[5, 10], [25, 10]], 2, raster);
    // Rows of pixel centres at 1.5 from the line reach 1.32 beyond its ends (22 pixels), rows at 0.5 reach 1.94 (24).
    expect(count(stroke)).toBe(2 * 22 + 2 * 24);
    const left = strokeMask([[5, 10], [25, 10]], 2, raster, (i) => i % 40 < 15);
    expect(count(left)).toBe(count(stroke.map((v, i) => (i % 40 < 15 ? v : 0))));
  });

  it('region growing takes the 4-connected pixels within the tolerance of the seed', () => {
    const values = new Int16Array(40 * 30).fill(-900);
    for (let y = 5; y < 15; y++) for (let x = 5; x < 20; x++) values[y * 40 + x] = -500 + ((x + y) % 3) * 10;
    values[20 * 40 + 30] = -500; // the same value, but not connected
    const region = growRegion(values, raster, [10.5, 10.5], 50);
    expect(count(region)).toBe(150);
    expect(region[20 * 40 + 30]).toBe(0);
    expect(count(growRegion(values, raster, [50, 50], 50))).toBe(0);
  });

  it('traces a mask with a hole back into a valid polygon with that hole', () => {
    const ring = rasterise([{ points: [[5, 5], [25, 5], [25, 25], [5, 25]], holes: [[[10, 10], [20, 10], [20, 20], [10, 20]]] }], raster);
    expect(count(ring)).toBe(400 - 100);
    const [p, ...rest] = maskToPolygons(ring, raster, 'GGO');
    expect(rest).toEqual([]);
    expect(p.holes).toHaveLength(1);
    // Half-pixel simplification cuts the square corners: the traced area stays within a few percent of 300 px².
    const area = Math.abs(ringArea(p.points)) - Math.abs(ringArea(p.holes[0]));
    expect(area).toBeGreaterThan(285);
    expect(area).toBeLessThan(305);
    expect(validatePolygon(p, 40, 30).ok).toBe(true);
  });
});
