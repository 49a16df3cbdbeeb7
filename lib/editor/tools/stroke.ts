/** The drag tools' common gesture: a press starts a stroke, each drag adds a point, the release turns it into edits. */
import type { Point } from '@/lib/imaging/contours';
import type { EditOp } from '../document';
import type { ToolInput, ToolModule, ToolStep } from './types';

export interface Stroke {
  points: Point[];
}

export function strokeTool(name: ToolModule['name'], preview: ToolModule['preview'], finish: (stroke: Point[], input: ToolInput) => EditOp[]): ToolModule<Stroke> {
  return {
    name,
    preview,
    cursor: 'crosshair',
    press: (input) => ({ gesture: { points: [input.at] }, drawing: [input.at] }),
    drag(stroke, input) {
      const points = [...stroke.points, input.at];
      return { gesture: { points }, drawing: points };
    },
    release: (stroke, input): ToolStep<Stroke> => ({ gesture: null, drawing: [], ops: finish(stroke.points, input) }),
  };
}
