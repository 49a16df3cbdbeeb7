/**
 * Select tool: a click on a polygon selects it, a click on the image clears the selection, a click on a model
 * proposal where no polygon is takes it. As with a click on a Konva shape, a release counts only over what the
 * press landed on. Vertex editing of the selection (drag, insert on an edge, Alt-delete) is in vertexEdits below.
 */
import type { Point } from '@/lib/imaging/contours';
import type { EditOp, EditorPolygon, RingIndex } from '../document';
import { nearestEdge, polygonAt } from '../geometry';
import { OUTLINE_PX, type ToolInput, type ToolModule } from './types';

export type SelectPress = { polygon: string | null; proposal: string | null };

/** The topmost shown polygon under the pointer other than the selected one (that one has its own shapes). */
function polygonUnder(input: ToolInput): EditorPolygon | null {
  const candidates = input.polygons.filter((p) => p.key !== input.selectedKey);
  const k = polygonAt(candidates, input.at, OUTLINE_PX / 2 / input.scale);
  return k < 0 ? null : candidates[k];
}

function proposalUnder(input: ToolInput): EditorPolygon | null {
  const k = polygonAt(input.proposals, input.at, OUTLINE_PX / 2 / input.scale);
  return k < 0 ? null : input.proposals[k];
}

export const selectTool: ToolModule<SelectPress> = {
  name: 'select',
  preview: 'none',
  cursor: 'default',
  press(input) {
    if (input.onSelection) return { gesture: null };
    const polygon = polygonUnder(input)?.key ?? null;
    if (polygon) return { gesture: { polygon, proposal: null } };
    return { gesture: { polygon: null, proposal: proposalUnder(input)?.key ?? null }, select: null };
  },
  drag: (pressed) => ({ gesture: pressed }),
  release(pressed, input) {
    const polygon = polygonUnder(input);
    if (polygon) return polygon.key === pressed.polygon ? { gesture: null, select: polygon.key } : { gesture: null };
    const proposal = proposalUnder(input);
    return proposal && proposal.key === pressed.proposal ? { gesture: null, take: proposal } : { gesture: null };
  },
};

/** The selected polygon's vertex edits, each one undo step. */
export const vertexEdits = {
  /** A click on an edge inserts a vertex there; returns the edit and the new vertex (which becomes selected). */
  insertOnEdge(polygon: EditorPolygon, ring: RingIndex, ringPoints: readonly Point[], at: Point): { op: EditOp; vertex: { ring: RingIndex; index: number } } {
    const hit = nearestEdge(ringPoints, at);
    return { op: { type: 'insertVertex', key: polygon.key, ring, after: hit.after, at: hit.at }, vertex: { ring, index: hit.after + 1 } };
  },
  move: (polygon: EditorPolygon, ring: RingIndex, index: number, to: Point): EditOp => ({ type: 'moveVertex', key: polygon.key, ring, index, to }),
  remove: (polygon: EditorPolygon, ring: RingIndex, index: number): EditOp => ({ type: 'deleteVertex', key: polygon.key, ring, index }),
};
