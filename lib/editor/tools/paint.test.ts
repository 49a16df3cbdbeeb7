import { describe, expect, it } from 'vitest';
import type { EditOp, EditorPolygon } from '../document';
import { applyEdit } from '../document';
import { DEFAULT_TOOL_OPTIONS } from '../editorReducer';
import { validatePolygon } from '@/lib/annotations/polygon';
import { ringArea, type Point } from '@/lib/imaging/contours';
import { brushTool, eraserTool, thresholdTool, wandTool } from './paint';
import type { ToolInput, ToolModule } from './types';

const W = 80;
const H = 60;
let counter = 0;
const square = (key: string, x: number, y: number, size: number, lesionClass: 'GGO' | 'C' = 'GGO'): EditorPolygon => ({ key, id: `db-${key}`, lesionClass, points: [[x, y], [x + size, y], [x + size, y + size], [x, y + size]], holes: [], source: 'HUMAN' });
const input = (at: Point, extra: Partial<ToolInput> = {}): ToolInput => ({
  at,
  scale: 1,
  clicks: 1,
  drawing: [],
  activeClass: 'GGO',
  newKey: () => `n${counter++}`,
  image: { width: W, height: H, values: null },
  polygons: [],
  proposals: [],
  selectedKey: null,
  onSelection: false,
  options: { ...DEFAULT_TOOL_OPTIONS, brushRadius: 3 },
  ...extra,
});

/** Runs a drag along `stroke` and applies the resulting edits to the polygons. */
function drag<G>(tool: ToolModule<G>, stroke: Point[], extra: Partial<ToolInput> = {}): { ops: EditOp[]; polygons: EditorPolygon[] } {
  let step = tool.press(input(stroke[0], extra));
  for (const p of stroke.slice(1)) step = tool.drag(step.gesture as G, input(p, extra));
  const done = tool.release(step.gesture as G, input(stroke[stroke.length - 1], extra));
  const ops = done.ops ?? [];
  const doc = ops.reduce(applyEdit, { polygons: [...(extra.polygons ?? [])], sliceClass: null, unsure: false });
  return { ops, polygons: doc.polygons };
}

const area = (p: EditorPolygon) => Math.abs(ringArea(p.points)) - p.holes.reduce((a, h) => a + Math.abs(ringArea(h)), 0);
const allValid = (ps: EditorPolygon[]) => ps.every((p) => validatePolygon(p, W, H).ok);

describe('brush', () => {
  it('a stroke on empty image adds one polygon of the active class, about the capsule’s area', () => {
    const { polygons } = drag(brushTool, [[10, 30], [40, 30]], { activeClass: 'C' });
    expect(polygons).toHaveLength(1);
    expect(polygons[0].lesionClass).toBe('C');
    expect(area(polygons[0])).toBeGreaterThan(30 * 6 * 0.9);
    expect(area(polygons[0])).toBeLessThan(30 * 6 + Math.PI * 9 + 10);
    expect(allValid(polygons)).toBe(true);
  });

  it('a stroke joining two polygons of the active class merges them, keeping the first one’s key and id; other classes are left alone', () => {
    const a = square('a', 10, 10, 10);
    const b = square('b', 30, 10, 10);
    const c = square('c', 50, 10, 10, 'C');
    const { ops, polygons } = drag(brushTool, [[15, 15], [55, 15]], { polygons: [a, b, c] });
    expect(ops).toEqual([expect.objectContaining({ type: 'replace', remove: ['a', 'b'] })]);
    expect(polygons.map((p) => [p.key, p.lesionClass])).toEqual([['a', 'GGO'], ['c', 'C']]);
    expect(polygons[0].id).toBe('db-a');
    expect(polygons[1]).toBe(c);
  });
});

describe('eraser', () => {
  const big = square('a', 10, 10, 40);

  it('a dab inside a polygon cuts a hole in it (same key: an update on the server)', () => {
    const { polygons } = drag(eraserTool, [[30, 30]], { polygons: [big], options: { ...DEFAULT_TOOL_OPTIONS, brushRadius: 5 } });
    expect(polygons).toHaveLength(1);
    expect(polygons[0].key).toBe('a');
    expect(polygons[0].holes).toHaveLength(1);
    // Traced outlines lie within the half-pixel simplification tolerance of the mask: up to ½ px × perimeter of area.
    expect(area(polygons[0])).toBeGreaterThan(1600 - Math.PI * 25 - 0.5 * (160 + 2 * Math.PI * 5));
    expect(area(polygons[0])).toBeLessThan(1600 - Math.PI * 25 + 5);
    expect(allValid(polygons)).toBe(true);
  });

  it('a stroke across a polygon splits it in two; one that misses every polygon changes nothing', () => {
    const { polygons } = drag(eraserTool, [[30, 2], [30, 58]], { polygons: [big] });
    expect(polygons).toHaveLength(2);
    expect(polygons.map((p) => p.key)).toContain('a');
    expect(allValid(polygons)).toBe(true);
    expect(drag(eraserTool, [[70, 5], [75, 50]], { polygons: [big] }).ops).toEqual([]);
  });

  it('erasing all of a polygon removes it', () => {
    const small = square('s', 20, 20, 4);
    expect(drag(eraserTool, [[22, 22]], { polygons: [small], options: { ...DEFAULT_TOOL_OPTIONS, brushRadius: 6 } }).polygons).toEqual([]);
  });
});

/** A slice of −900 HU lung with a −500 HU lesion at x 20..39, y 20..39 (a 20×20 square). */
function lesionSlice(): Int16Array {
  const values = new Int16Array(W * H).fill(-900);
  for (let y = 20; y < 40; y++) for (let x = 20; x < 40; x++) values[y * W + x] = -500 + ((x * 7 + y * 3) % 40);
  return values;
}

describe('threshold brush and wand', () => {
  it('a wide threshold stroke over the lesion paints the lesion only', () => {
    const values = lesionSlice();
    const { polygons } = drag(thresholdTool, [[15, 30], [45, 30]], { image: { width: W, height: H, values }, options: { ...DEFAULT_TOOL_OPTIONS, brushRadius: 15, range: { low: -750, high: -300 } } });
    expect(polygons).toHaveLength(1);
    expect(area(polygons[0])).toBeGreaterThan(400 - 0.5 * 80); // the 20×20 lesion, within half a pixel of its edge
    expect(area(polygons[0])).toBeLessThan(401);
    for (const [x, y] of polygons[0].points) {
      expect(x).toBeGreaterThanOrEqual(19.5);
      expect(x).toBeLessThanOrEqual(40.5);
      expect(y).toBeGreaterThanOrEqual(19.5);
    }
  });

  it('a wand click in the lesion outlines it; tolerance 0 takes only equal neighbours; no pixels loaded, no edit', () => {
    const values = lesionSlice();
    const image = { width: W, height: H, values };
    const grown = wandTool.press(input([30.5, 30.5], { image, options: { ...DEFAULT_TOOL_OPTIONS, tolerance: 60 } })).ops!;
    const polygons = grown.reduce(applyEdit, { polygons: [], sliceClass: null, unsure: false }).polygons;
    expect(polygons).toHaveLength(1);
    expect(area(polygons[0])).toBeGreaterThan(400 - 0.5 * 80);
    expect(area(polygons[0])).toBeLessThan(401);
    // Tolerance 0: only the clicked pixel's equal neighbours, far less than the lesion.
    const exact = wandTool.press(input([30.5, 30.5], { image, options: { ...DEFAULT_TOOL_OPTIONS, tolerance: 0 } })).ops ?? [];
    const small = exact.reduce(applyEdit, { polygons: [], sliceClass: null, unsure: false }).polygons;
    expect(small.reduce((a, p) => a + area(p), 0)).toBeLessThan(100);
    expect(wandTool.press(input([30.5, 30.5], { image: { ...image, values: null } })).ops).toBeUndefined();
  });
});
