/**
 * Polygon tool: each click adds a vertex; a click on the first vertex (within CLOSE_DISTANCE_PX on screen), a
 * double-click or Enter (closeOutline) closes it into a new polygon of the active class.
 */
import type { Point } from '@/lib/imaging/contours';
import type { EditOp } from '../document';
import type { ToolInput, ToolModule, ToolStep } from './types';

/** Screen pixels within which a click on the first vertex closes the polygon. */
export const CLOSE_DISTANCE_PX = 8;

/**
 * The edit that turns a finished outline into a polygon of the active class; none for fewer than 3 vertices.
 * The new polygon is not selected: the drawing tool stays ready for the next one, and a class key pressed now
 * applies to the next polygon, not silently to this one.
 */
export function closeOutline(points: Point[], input: Pick<ToolInput, 'activeClass' | 'newKey'>): EditOp[] {
  if (points.length < 3) return [];
  return [{ type: 'add', polygon: { key: input.newKey(), lesionClass: input.activeClass, points, holes: [], source: 'HUMAN' } }];
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
