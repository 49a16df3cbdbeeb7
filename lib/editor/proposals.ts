/**
 * Model proposals in the editor: a proposal taken (one by a click, or all at once) becomes a human polygon with
 * the same class and outline; it is then no longer offered. Derived from the document, so undoing the take offers
 * the proposal again.
 */
import type { EditorPolygon } from './document';

const outline = (p: Pick<EditorPolygon, 'lesionClass' | 'points' | 'holes'>) => `${p.lesionClass}|${JSON.stringify(p.points)}|${JSON.stringify(p.holes)}`;

/** The proposals not taken yet: none of the document's polygons has their class and outline. */
export function openProposals(proposals: readonly EditorPolygon[], polygons: readonly EditorPolygon[]): EditorPolygon[] {
  const taken = new Set(polygons.map(outline));
  return proposals.filter((p) => !taken.has(outline(p)));
}
