import { describe, expect, it } from 'vitest';
import type { EditorPolygon } from '../document';
import { DEFAULT_TOOL_OPTIONS } from '../editorReducer';
import { validatePolygon } from '@/lib/annotations/polygon';
import type { Point } from '@/lib/imaging/contours';
import { freehandTool } from './freehand';
import { polygonTool } from './polygon';
import { selectTool, vertexEdits } from './select';
import type { ToolInput } from './types';

let counter = 0;
const square = (key: string, x: number, y: number, size: number): EditorPolygon => ({ key, lesionClass: 'GGO', points: [[x, y], [x + size, y], [x + size, y + size], [x, y + size]], holes: [], source: 'HUMAN' });
const input = (at: Point, extra: Partial<ToolInput> = {}): ToolInput => ({
  at,
  scale: 2,
  clicks: 1,
  drawing: [],
  activeClass: 'C',
  newKey: () => `n${counter++}`,
  image: { width: 100, height: 100, values: null },
  polygons: [],
  proposals: [],
  selectedKey: null,
  onSelection: false,
  options: DEFAULT_TOOL_OPTIONS,
  ...extra,
});

describe('polygon tool', () => {
  it('adds a vertex per click and closes on a click near the first vertex (screen distance)', () => {
    const drawing: Point[] = [[10, 10], [30, 10], [30, 30]];
    expect(polygonTool.press(input([50, 50], { drawing: drawing.slice(0, 2) })).drawing).toEqual([[10, 10], [30, 10], [50, 50]]);
    // 3 image px from the first vertex at scale 2 = 6 screen px ≤ 8: closes.
    const closed = polygonTool.press(input([13, 10], { drawing }));
    expect(closed.drawing).toEqual([]);
    expect(closed.ops).toEqual([{ type: 'add', polygon: expect.objectContaining({ lesionClass: 'C', points: drawing, source: 'HUMAN' }) }]);
    // 5 image px = 10 screen px: a new vertex instead.
    expect(polygonTool.press(input([15, 10], { drawing })).drawing).toHaveLength(4);
  });

  it('a double-click closes, but never into a polygon of fewer than 3 vertices', () => {
    expect(polygonTool.press(input([30, 30], { drawing: [[10, 10], [30, 10], [20, 20]], clicks: 2 })).ops).toHaveLength(1);
    expect(polygonTool.press(input([30, 30], { drawing: [[10, 10]], clicks: 2 }))).toEqual({ gesture: null, drawing: [], ops: [] });
  });
});

describe('freehand tool', () => {
  it('traces while dragging and adds the simplified trace on release', () => {
    const circle = Array.from({ length: 90 }, (_, k): Point => [50 + 40 * Math.cos((2 * Math.PI * k) / 90), 50 + 40 * Math.sin((2 * Math.PI * k) / 90)]);
    let step = freehandTool.press(input(circle[0]));
    for (const p of circle.slice(1)) step = freehandTool.drag(step.gesture!, input(p));
    expect(step.drawing).toHaveLength(90);
    const done = freehandTool.release(step.gesture!, input(circle[89]));
    expect(done.gesture).toBeNull();
    const added = done.ops![0] as { type: 'add'; polygon: EditorPolygon };
    expect(added.polygon.points.length).toBeGreaterThan(8);
    expect(added.polygon.points.length).toBeLessThan(90);
  });
});

describe('a self-crossing stroke is repaired on release', () => {
  it('a loop closed with an overshoot becomes one valid polygon without the sliver', () => {
    const circle = Array.from({ length: 71 }, (_, k): Point => [50 + 40 * Math.cos((k * 5 * Math.PI) / 180), 50 + 40 * Math.sin((k * 5 * Math.PI) / 180)]);
    const stroke: Point[] = [...circle, [93, 51], [96, 54], [87, 58]];
    let step = freehandTool.press(input(stroke[0], { scale: 4 }));
    for (const p of stroke.slice(1)) step = freehandTool.drag(step.gesture!, input(p, { scale: 4 }));
    const ops = freehandTool.release(step.gesture!, input(stroke[stroke.length - 1], { scale: 4 })).ops!;
    expect(ops).toHaveLength(1);
    expect(ops[0].type).toBe('add');
    const { polygon } = ops[0] as { type: 'add'; polygon: EditorPolygon };
    expect(validatePolygon(polygon, 100, 100).ok).toBe(true);
  });

  it('a figure eight drawn with the polygon tool becomes two polygons in one undo step', () => {
    const drawing: Point[] = [[10, 10], [30, 30], [30, 10], [10, 30]];
    const ops = polygonTool.press(input([10, 30], { drawing, clicks: 2 })).ops!;
    expect(ops).toEqual([{ type: 'replace', remove: [], add: [expect.objectContaining({ lesionClass: 'C' }), expect.objectContaining({ lesionClass: 'C' })] }]);
  });
});

describe('select tool', () => {
  const polygons = [square('a', 10, 10, 20), square('b', 20, 20, 20)];
  const proposal = { ...square('p', 60, 60, 20), source: 'MODEL' as const };

  it('selects the topmost polygon a click lands on, only when the release is over it too', () => {
    const press = selectTool.press(input([25, 25], { polygons }));
    expect(selectTool.release(press.gesture!, input([25, 25], { polygons })).select).toBe('b');
    expect(selectTool.release(press.gesture!, input([12, 12], { polygons })).select).toBeUndefined();
  });

  it('a click on the image clears the selection; one on a proposal takes it', () => {
    const press = selectTool.press(input([70, 70], { polygons, proposals: [proposal], selectedKey: 'a' }));
    expect(press.select).toBeNull();
    expect(selectTool.release(press.gesture!, input([70, 70], { polygons, proposals: [proposal] })).take).toBe(proposal);
  });

  it('a press on the selection’s own shapes is left to them (drag, handles)', () => {
    expect(selectTool.press(input([15, 15], { polygons, selectedKey: 'a', onSelection: true }))).toEqual({ gesture: null });
  });

  it('inserts a vertex on the nearest edge and selects it', () => {
    const { op, vertex } = vertexEdits.insertOnEdge(polygons[0], -1, polygons[0].points, [20, 9]);
    expect(op).toEqual({ type: 'insertVertex', key: 'a', ring: -1, after: 0, at: [20, 10] });
    expect(vertex).toEqual({ ring: -1, index: 1 });
  });
});
