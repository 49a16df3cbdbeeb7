/**
 * The image tools: brush, eraser, threshold painting and region growing (magic wand). Each edits lesion masks
 * (lib/editor/raster.ts) and answers with one `replace` edit, so undo, redo and autosave treat a stroke like any
 * other change.
 *
 * - Brush adds the stroke to the active class: the polygons of that class it overlaps merge with it into one mask.
 * - Threshold painting is the brush restricted to pixels whose value lies in the range (HU for CT, display values
 *   for 8-bit slices): a stroke over a lesion paints the lesion, not the lung around it.
 * - Wand (click) adds the region grown from the clicked pixel within the tolerance, merged like a brush stroke.
 * - Eraser removes the stroke from every shown polygon it touches, of either class: inside a polygon it cuts a
 *   hole, across one it splits it into several.
 * A result polygon keeps the key (so the database id) of the polygon it came from; the first one for a merge.
 */
import type { Point } from '@/lib/imaging/contours';
import type { EditOp, EditorPolygon } from '../document';
import { addMask, growRegion, isEmpty, maskToPolygons, overlaps, rasterise, strokeMask, subtractMask, type Raster } from '../raster';
import { strokeTool } from './stroke';
import type { ToolInput, ToolModule } from './types';

const rasterOf = (input: ToolInput): Raster => ({ width: input.image.width, height: input.image.height });

/** Results of one source polygon (or merge): the first keeps `from`'s key and id, the others are new. */
function inherit(results: ReturnType<typeof maskToPolygons>, from: EditorPolygon | null, input: ToolInput): EditorPolygon[] {
  return results.map((r, k) => ({
    ...(k === 0 && from ? { key: from.key, ...(from.id ? { id: from.id } : {}) } : { key: input.newKey() }),
    lesionClass: r.lesionClass,
    points: r.points,
    holes: r.holes,
    source: 'HUMAN' as const,
  }));
}

/** Adds `added` to the active class: merges it with the polygons of that class it overlaps. */
export function addToClass(added: Uint8Array, input: ToolInput): EditOp[] {
  if (isEmpty(added)) return [];
  const raster = rasterOf(input);
  const merged = input.polygons.filter((p) => p.lesionClass === input.activeClass && overlaps(rasterise([p], raster), added));
  const mask = addMask(rasterise(merged, raster), added);
  const add = inherit(maskToPolygons(mask, raster, input.activeClass), merged[0] ?? null, input);
  return add.length || merged.length ? [{ type: 'replace', remove: merged.map((p) => p.key), add }] : [];
}

/** Removes `erased` from every polygon it overlaps (a hole, a split, or the polygon gone). */
export function eraseFromAll(erased: Uint8Array, input: ToolInput): EditOp[] {
  if (isEmpty(erased)) return [];
  const raster = rasterOf(input);
  const remove: string[] = [];
  const add: EditorPolygon[] = [];
  for (const p of input.polygons) {
    const mask = rasterise([p], raster);
    if (!overlaps(mask, erased)) continue;
    remove.push(p.key);
    add.push(...inherit(maskToPolygons(subtractMask(mask, erased), raster, p.lesionClass), p, input));
  }
  return remove.length ? [{ type: 'replace', remove, add }] : [];
}

/** Threshold painting's pixel test: the value lies in the range. */
export function inRange(values: ArrayLike<number>, range: { low: number; high: number }) {
  const [low, high] = range.low <= range.high ? [range.low, range.high] : [range.high, range.low];
  return (i: number) => values[i] >= low && values[i] <= high;
}

export const brushTool = strokeTool('brush', 'stroke', (stroke, input) => addToClass(strokeMask(stroke, input.options.brushRadius, rasterOf(input)), input));

export const eraserTool = strokeTool('eraser', 'stroke', (stroke, input) => eraseFromAll(strokeMask(stroke, input.options.brushRadius, rasterOf(input)), input));

export const thresholdTool = strokeTool('threshold', 'stroke', (stroke, input) => {
  const { values } = input.image;
  if (!values) return []; // pixels not loaded yet: nothing to threshold
  return addToClass(strokeMask(stroke, input.options.brushRadius, rasterOf(input), inRange(values, input.options.range)), input);
});

export const wandTool: ToolModule<never> = {
  name: 'wand',
  preview: 'none',
  cursor: 'crosshair',
  press(input) {
    const { values } = input.image;
    if (!values) return { gesture: null };
    return { gesture: null, ops: addToClass(growRegion(values, rasterOf(input), input.at, input.options.tolerance), input) };
  },
  drag: () => ({ gesture: null }),
  release: () => ({ gesture: null }),
};
