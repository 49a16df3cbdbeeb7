/**
 * Polygon tool: each click adds a vertex; a click on the first vertex (within CLOSE_DISTANCE_PX on screen), a
 * double-click or Enter (closeOutline) closes it into a new polygon of the active class.
 */
import type { Point } from '@/lib/imaging/contours';
import type { EditOp, EditorPolygon } from '../document';
import { repairOutline } from '../selfCrossing';
import type { ToolInput, ToolModule, ToolStep } from './types';

/** Screen pixels within which a click on the first vertex closes the polygon. */
export const CLOSE_DISTANCE_PX = 8;

/**
 * The edit that turns a finished outline into polygons of the active class: one for a simple outline (stored as
 * drawn), several for one that crosses itself (cut at the crossings, the overshoot's sliver dropped: a save is never
 * refused for a stroke that looked clean); none for fewer than 3 vertices.
 * New polygons are not selected: the drawing tool stays ready for the next one, and a class key pressed now
 * applies to the next polygon, not silently to this one.
 */
export function closeOutline(points: Point[], input: Pick<ToolInput, 'activeClass' | 'newKey'>): EditOp[] {
  if (points.length < 3) return [];
  const polygons: EditorPolygon[] = repairOutline(points).map((ring) => ({ key: input.newKey(), lesionClass: input.activeClass, points: ring, holes: [], source: 'HUMAN' }));
  if (polygons.length === 0) return [];
  return polygons.length === 1 ? [{ type: 'add', polygon: polygons[0] }] : [{ type: 'replace', remove: [], add: polygons }];
}

export const polygonTool: ToolModule<never> = {
  name: 'polygon',
  preview: 'outline',
  cursor: 'crosshair',
  press(input): ToolStep<never> {
    const { drawing, at, scale } = input;
    if (drawing.length >= 3) {
      const [fx, fy] = drawing[0];
      if (Math.hypot(fx - at[0], fy - at[1]) * scale <= CLOSE_DISTANCE_PX) return { gesture: null, drawing: [], ops: closeOutline(drawing, input) };
    }
    if (input.clicks >= 2) return { gesture: null, drawing: [], ops: closeOutline(drawing, input) }; // the second click of a double-click
    return { gesture: null, drawing: [...drawing, at] };
  },
  drag: () => ({ gesture: null }),
  release: () => ({ gesture: null }),
};
