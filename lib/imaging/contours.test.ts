import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, sharedDataDir } from '@/lib/testing/paths';
import {
  fillPolygon,
  labelIoU,
  labelMapToPolygons,
  type LesionPolygon,
  polygonsToLabelMap,
  ringArea,
  traceClass,
} from './contours';
import { readLabelMask } from './readers/mask';

/** Builds a label map from rows of characters: '.' 0, 'g' 1, 'c' 2. */
function grid(rows: string[]): { labels: Uint8Array; width: number; height: number } {
  const width = rows[0].length;
  const labels = new Uint8Array(width * rows.length);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (labels[y * width + x] = ch === 'g' ? 1 : ch === 'c' ? 2 : 0)));
  return { labels, width, height: rows.length };
}

const exact = { tolerance: 0, minArea: 0 };

describe('ringArea', () => {
  it('gives the signed shoelace area', () => {
    expect(ringArea([[0, 0], [4, 0], [4, 3], [0, 3]])).toBe(12);
    expect(ringArea([[0, 0], [0, 3], [4, 3], [4, 0]])).toBe(-12);
  });
});

describe('fillPolygon', () => {
  it('fills pixels whose centres are inside, with holes subtracted (even-odd)', () => {
    const out = new Uint8Array(6 * 6);
    fillPolygon({ points: [[1, 1], [5, 1], [5, 5], [1, 5]], holes: [[[2, 2], [4, 2], [4, 4], [2, 4]]] }, 6, 6, out, 7);
    const rows = Array.from({ length: 6 }, (_, y) => Array.from(out.subarray(y * 6, y * 6 + 6), (v) => (v ? '#' : '.')).join(''));
    expect(rows).toEqual(['......', '.####.', '.#..#.', '.#..#.', '.####.', '......']);
  });

  it('clips to the image and ignores degenerate rings', () => {
    const out = new Uint8Array(3 * 2);
    fillPolygon({ points: [[-5, -5], [10, -5], [10, 10], [-5, 10]], holes: [[[0, 0], [1, 1]]] }, 3, 2, out, 1);
    expect(Array.from(out)).toEqual([1, 1, 1, 1, 1, 1]);
    const none = new Uint8Array(4);
    fillPolygon({ points: [[0, 0], [1, 1]], holes: [] }, 2, 2, none, 1);
    expect(Array.from(none)).toEqual([0, 0, 0, 0]);
  });
});

describe('traceClass / labelMapToPolygons', () => {
  it('traces a ring with a hole and an island in the hole as two polygons', () => {
    const { labels, width, height } = grid([
      '.......',
      '.ggggg.',
      '.g...g.',
      '.g.g.g.',
      '.g...g.',
      '.ggggg.',
      '.......',
    ]);
    const polys = traceClass(labels, width, height, 1, 'GGO', exact);
    expect(polys).toHaveLength(2);
    const ring = polys.find((p) => p.holes.length === 1)!;
    const island = polys.find((p) => p.holes.length === 0)!;
    // Outer 5×5 block less four corner triangles (24.5) minus the 3×3 hole likewise (8.5) = the 16 ring pixels.
    expect(Math.abs(ringArea(ring.points))).toBe(24.5);
    expect(Math.abs(ringArea(ring.holes[0]))).toBe(8.5);
    expect(Math.abs(ringArea(island.points))).toBe(0.5); // a lone pixel: diamond through its edge midpoints
    expect(polygonsToLabelMap(polys, width, height)).toEqual(labels);
  });

  it('returns separate classes, and C inside a GGO hole survives the round trip', () => {
    const { labels, width, height } = grid([
      '........',
      '.gggggg.',
      '.gccccg.',
      '.gccccg.',
      '.gggggg.',
      '........',
    ]);
    const polys = labelMapToPolygons(labels, width, height, { 1: 'GGO', 2: 'C' }, exact);
    expect(polys.map((p) => p.lesionClass).sort()).toEqual(['C', 'GGO']);
    expect(polys.find((p) => p.lesionClass === 'GGO')!.holes).toHaveLength(1);
    expect(polygonsToLabelMap(polys, width, height)).toEqual(labels);
  });

  it('maps a merged lesion label to the class it is told', () => {
    const { labels, width, height } = grid(['....', '.gg.', '.gg.', '....']);
    const polys = labelMapToPolygons(labels, width, height, { 1: 'C' }, exact);
    expect(polys).toHaveLength(1);
    expect(polys[0].lesionClass).toBe('C');
  });

  it('drops specks below minArea and keeps real lesions; simplification cuts vertices', () => {
    const rows = Array.from({ length: 40 }, (_, y) =>
      Array.from({ length: 40 }, (_, x) => ((x - 20) ** 2 + (y - 20) ** 2 < 12 ** 2 ? 'g' : x === 2 && y === 2 ? 'g' : '.')).join(''),
    );
    const { labels, width, height } = grid(rows);
    const raw = traceClass(labels, width, height, 1, 'GGO', exact);
    const simplified = traceClass(labels, width, height, 1, 'GGO');
    expect(raw).toHaveLength(2);
    expect(simplified).toHaveLength(1);
    expect(simplified[0].points.length).toBeLessThan(raw.find((p) => p.points.length > 4)!.points.length / 2);
    expect(labelIoU(labels, polygonsToLabelMap(simplified, width, height), 1)).toBeGreaterThan(0.97);
  });

  it('returns nothing for an empty map and refuses a wrong size', () => {
    expect(labelMapToPolygons(new Uint8Array(9), 3, 3)).toEqual([]);
    expect(() => traceClass(new Uint8Array(8), 3, 3, 1, 'GGO')).toThrow(/length/);
  });

  it('handles lesions touching the image border', () => {
    const { labels, width, height } = grid(['gg..', 'gg..', '...c']);
    const polys = labelMapToPolygons(labels, width, height, { 1: 'GGO', 2: 'C' }, exact);
    expect(polygonsToLabelMap(polys, width, height)).toEqual(labels);
  });
});

describe('labelIoU', () => {
  it('is intersection over union for one label, 1 when both are empty', () => {
    const a = Uint8Array.from([1, 1, 0, 2]);
    const b = Uint8Array.from([1, 0, 1, 2]);
    expect(labelIoU(a, b, 1)).toBeCloseTo(1 / 3, 10);
    expect(labelIoU(a, b, 2)).toBe(1);
    expect(labelIoU(a, b, 3)).toBe(1);
  });
});

const medsegMasks = path.join(sharedDataDir(), 'medseg-ggo-c', 'masks');
const haveMedseg = exists(medsegMasks);
if (!haveMedseg) console.warn(`[contours.test] skipping the MedSeg round trip: ${medsegMasks} not found (set CT_DATA_DIR)`);

describe('round trip on the real MedSeg masks', () => {
  it.skipIf(!haveMedseg)('mask → polygons → mask keeps mean IoU ≥ 0.97 per class', async () => {
    const files = fs.readdirSync(medsegMasks).filter((f) => f.endsWith('.png'));
    expect(files.length).toBe(50);
    const ious: Record<LesionPolygon['lesionClass'], number[]> = { GGO: [], C: [] };
    let rawVertices = 0;
    let vertices = 0;
    for (const f of files) {
      const mask = await readLabelMask(path.join(medsegMasks, f));
      expect(mask.mode).toBe('classes');
      const polys = labelMapToPolygons(mask.labels, mask.width, mask.height);
      rawVertices += labelMapToPolygons(mask.labels, mask.width, mask.height, undefined, exact).reduce((n, p) => n + p.points.length, 0);
      vertices += polys.reduce((n, p) => n + p.points.length, 0);
      const back = polygonsToLabelMap(polys, mask.width, mask.height);
      for (const [cls, label] of [['GGO', 1], ['C', 2]] as const) {
        // Mean over the slices where the class is present in the original mask.
        if (mask.labels.includes(label)) ious[cls].push(labelIoU(mask.labels, back, label));
      }
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    console.log(
      `[contours.test] MedSeg round-trip mean IoU: GGO ${mean(ious.GGO).toFixed(4)} (${ious.GGO.length} slices, min ${Math.min(...ious.GGO).toFixed(3)}), ` +
        `C ${mean(ious.C).toFixed(4)} (${ious.C.length} slices, min ${Math.min(...ious.C).toFixed(3)}); outer-ring vertices ${rawVertices} → ${vertices}`,
    );
    expect(ious.GGO.length).toBeGreaterThan(0);
    expect(ious.C.length).toBeGreaterThan(0);
    expect(mean(ious.GGO)).toBeGreaterThanOrEqual(0.97);
    expect(mean(ious.C)).toBeGreaterThanOrEqual(0.97);
    expect(vertices).toBeLessThan(rawVertices / 2);
  });
});
