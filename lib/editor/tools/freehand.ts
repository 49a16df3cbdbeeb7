/**
 * Freehand tool: a drag traces the outline; on release it is simplified to about one screen pixel and closed
 * into a new polygon of the active class.
 */
import type { Point } from '@/lib/imaging/contours';
import { simplifyTrace } from '../geometry';
import { closeOutline } from './polygon';
import type { ToolModule } from './types';

export interface Trace {
  points: Point[];
}

export const freehandTool: ToolModule<Trace> = {
  name: 'freehand',
  preview: 'trace',
  cursor: 'crosshair',
  press: (input) => ({ gesture: { points: [input.at] }, drawing: [input.at] }),
  drag(trace, input) {
    const points = [...trace.points, input.at];
    return { gesture: { points }, drawing: points };
  },
  release: (trace, input) => ({ gesture: null, drawing: [], ops: closeOutline(simplifyTrace(trace.points, input.scale), input) }),
};
