/**
 * Working through a study's stack: copying a neighbouring slice's outlines as a start for this one (lesions change
 * little between adjacent slices), and the slice step a wheel or key gesture asks for.
 */
import { validatePolygon } from '@/lib/annotations/polygon';
import type { LesionClass, Point } from '@/lib/imaging/contours';
import type { EditOp, EditorPolygon } from './document';

interface SourcePolygon {
  lesionClass: LesionClass;
  points: Point[];
  holes: Point[][];
}

/**
 * The edit that copies a neighbour's outlines into this slice as the annotator's own new polygons, in one undo
 * step. Outlines that do not fit this slice (a stack of unequal sizes) are left out rather than cut.
 */
export function copyFromNeighbour(source: readonly SourcePolygon[], size: { width: number; height: number }, newKey: () => string): EditOp | null {
  const add: EditorPolygon[] = source
    .filter((p) => validatePolygon(p, size.width, size.height).ok)
    .map((p) => ({ key: newKey(), lesionClass: p.lesionClass, points: p.points.map(([x, y]) => [x, y] as Point), holes: p.holes.map((h) => h.map(([x, y]) => [x, y] as Point)), source: 'HUMAN' }));
  return add.length ? { type: 'replace', remove: [], add } : null;
}

/** Wheel deltas below this (a trackpad's drift) do not step a slice. */
const WHEEL_STEP_THRESHOLD = 1;

/** The slice step of a modified wheel event: down (positive delta) is the next slice, up the previous one. */
export function wheelSliceStep(deltaY: number): -1 | 0 | 1 {
  if (Math.abs(deltaY) < WHEEL_STEP_THRESHOLD) return 0;
  return deltaY > 0 ? 1 : -1;
}
