/** The editor's tools by name: CanvasView dispatches every gesture to the module of the current tool. */
import { freehandTool } from './freehand';
import { brushTool, eraserTool, thresholdTool, wandTool } from './paint';
import { polygonTool } from './polygon';
import { selectTool } from './select';
import type { ToolModule, ToolName } from './types';

export const TOOLS: Record<ToolName, ToolModule<any>> = {
  select: selectTool,
  polygon: polygonTool,
  freehand: freehandTool,
  brush: brushTool,
  eraser: eraserTool,
  threshold: thresholdTool,
  wand: wandTool,
};

export type { ToolInput, ToolModule, ToolName, ToolOptions, ToolStep } from './types';
