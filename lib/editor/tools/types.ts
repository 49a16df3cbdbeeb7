/**
 * The protocol every editor tool follows: pure gesture functions from pointer input to a step (the outline being
 * drawn, edits to record, a selection). CanvasView turns mouse events into ToolInput and hands the step to the
 * editor's reducer; a new tool is a new module implementing ToolModule, not a branch in the canvas.
 */
import type { EditOp, EditorPolygon } from '../document';
import type { LesionClass, Point } from '@/lib/imaging/contours';

export type ToolName = 'select' | 'polygon' | 'freehand' | 'brush' | 'eraser' | 'threshold' | 'wand';

/** The slice's stored values (HU or 8-bit display values), for the tools that follow the image. */
export interface ToolImage {
  width: number;
  height: number;
  values: ArrayLike<number> | null;
}

/** The settings of the image tools, kept by the editor and shown in its toolbar. */
export interface ToolOptions {
  /** Brush, eraser and threshold radius in image pixels. */
  brushRadius: number;
  /** Threshold painting paints only pixels whose value lies in [low, high] (HU or display values). */
  range: { low: number; high: number };
  /** Region growing takes neighbours whose value differs from the clicked pixel's by at most this. */
  tolerance: number;
}

export interface ToolInput {
  /** The pointer in image coordinates, clamped to the image. */
  at: Point;
  /** Screen pixels per image pixel: tolerances the user sees on screen are divided by it. */
  scale: number;
  /** Click count of this press (2 on the second press of a double-click). */
  clicks: number;
  /** The outline drawn so far (polygon tool) or the stroke (brush tools). */
  drawing: Point[];
  activeClass: LesionClass;
  newKey(): string;
  image: ToolImage;
  /** The annotation's polygons that are shown (hidden classes are not edited by a gesture). */
  polygons: readonly EditorPolygon[];
  /** Model proposals not taken yet and shown. */
  proposals: readonly EditorPolygon[];
  selectedKey: string | null;
  /** The press landed on the selected polygon's own shapes (its body, edges or handles), not on the image. */
  onSelection: boolean;
  options: ToolOptions;
}

/** What a gesture step asks for; absent fields leave that part of the editor as it is. */
export interface ToolStep<G> {
  /** The gesture goes on with this state; null ends it. */
  gesture: G | null;
  drawing?: Point[];
  ops?: EditOp[];
  /** Select this polygon (null clears the selection). */
  select?: string | null;
  /** Take this model proposal as the annotator's polygon. */
  take?: EditorPolygon;
}

export interface ToolModule<G = unknown> {
  name: ToolName;
  /** How the canvas previews `drawing`: an open outline with vertex dots, a traced line, or a stroke of the brush's width. */
  preview: 'outline' | 'trace' | 'stroke' | 'none';
  cursor: 'default' | 'crosshair';
  /** Left button pressed on the image (not on a vertex handle of the selection). */
  press(input: ToolInput): ToolStep<G>;
  /** The pointer moved while the gesture is on. */
  drag(gesture: G, input: ToolInput): ToolStep<G>;
  /** The button was released. */
  release(gesture: G, input: ToolInput): ToolStep<G>;
}

/** Outline width of the polygons (screen px); a click within half of it outside the fill still hits the polygon. */
export const OUTLINE_PX = 1.5;

export const noStep = <G>(): ToolStep<G> => ({ gesture: null });
