'use client';
/**
 * The Konva stage of the editor: the windowed CT image, the annotation and proposal layers, the selected polygon
 * with its vertex handles, and the polygon being drawn. Layers are split so that dragging a vertex redraws only the
 * selection layer, and the unselected polygons are memoised elements that view changes do not rebuild.
 * The annotation layer has no Konva hit graph: redrawing it on every pan or zoom frame cost as much as drawing the
 * polygons themselves. Clicks find the unselected polygon under the pointer geometrically instead (the select tool, lib/editor/tools).
 * While the view is panned or wheel-zoomed, that layer shows a bitmap of its polygons instead of redrawing 10k
 * vertices a frame (useViewSnapshot); the shapes come back, crisp, when the gesture ends or the wheel rests.
 */
import Konva from 'konva';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type MutableRefObject } from 'react';
import { Circle, Group, Image as KonvaImage, Layer, Line, Shape, Stage } from 'react-konva';
import type { EditOp, EditorPolygon } from '@/lib/editor/document';
import type { EditorUi, VertexRef } from '@/lib/editor/editorReducer';
import { clampToImage, toImage, zoomAround, type View } from '@/lib/editor/geometry';
import { TOOLS, type ToolInput, type ToolStep } from '@/lib/editor/tools';
import { vertexEdits } from '@/lib/editor/tools/select';
import { OUTLINE_PX } from '@/lib/editor/tools/types';
import { wheelSliceStep } from '@/lib/editor/volume';
import type { LesionClass, Point } from '@/lib/imaging/contours';
import type { OutlineDiff } from '@/lib/review/submissionDiff';
import type { Window } from '@/lib/imaging/window';

export const CLASS_COLOURS: Record<LesionClass, string> = { GGO: '#f5c542', C: '#ef5b9c' };
const PROPOSAL_COLOUR = '#4fd1c5';
const REFUSED_COLOUR = '#ff3b30';
/** Review screen: how an outline changed since the previous submission. */
export const DIFF_COLOURS = { added: '#48bb78', changed: '#ed8936', removed: '#a0aec0' } as const;
const HANDLE_RADIUS_PX = 5;

export interface CanvasViewProps {
  stageSize: { width: number; height: number };
  image: { width: number; height: number; canvas: HTMLCanvasElement | null; values: ArrayLike<number> | null };
  imageLayerRef: MutableRefObject<Konva.Layer | null>;
  /** What the canvas shows and which tool acts: the editor's reducer state. */
  ui: EditorUi;
  proposals: EditorPolygon[];
  /** Polygons the last save had to leave out (the server would refuse them): drawn with a red dashed outline. */
  refusedKeys: ReadonlySet<string>;
  /** Review screen: the change of each outline since the previous submission, and the outlines removed since. */
  diff: OutlineDiff | null;
  windowStep: number;
  spaceDown: boolean;
  newKey: () => string;
  /** A tool's gesture step (outline, edits, selection, a proposal taken). */
  onToolStep(step: ToolStep<unknown>): void;
  /** An edit of the selection through its handles (move, vertex drag, insert, delete). */
  onEdit(op: EditOp): void;
  onSelect(key: string | null, vertex?: VertexRef | null): void;
  onView(view: View): void;
  onWindow(win: Window): void;
  onHover(p: Point | null): void;
  /** Shift + wheel: step through the study's slices (+1 next, −1 previous). */
  onSliceStep(step: 1 | -1): void;
}

function pathRings(ctx: Konva.Context, rings: Point[][]) {
  ctx.beginPath();
  for (const ring of rings) {
    ring.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.closePath();
  }
}

function PolygonShape({ polygon, colour, opacity, dashed, name, listening = true }: { polygon: EditorPolygon; colour: string; opacity: number; dashed?: boolean; name?: string; listening?: boolean }) {
  return (
    <Shape
      name={name}
      id={polygon.key}
      sceneFunc={(ctx, shape) => {
        pathRings(ctx, [polygon.points, ...polygon.holes]);
        ctx.fillStrokeShape(shape);
      }}
      // Konva has no separate fill opacity: the fill is an rgba colour, the outline stays opaque.
      fill={hexToRgba(colour, opacity)}
      fillRule="evenodd"
      stroke={colour}
      strokeWidth={OUTLINE_PX}
      strokeScaleEnabled={false}
      dash={dashed ? [6, 4] : undefined}
      listening={listening}
      perfectDrawEnabled={false}
      shadowForStrokeEnabled={false}
    />
  );
}

function hexToRgba(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// ---------------------------------------------------------------- the pan/zoom bitmap

/** The shapes are redrawn this long after the last wheel or pan event (the gesture has paused or ended). */
const SNAPSHOT_IDLE_MS = 150;
/** The bitmap covers the visible area plus this fraction of the stage on each side, so a pan reveals drawn polygons. */
const SNAPSHOT_MARGIN = 0.5;
/** Zoomed in further than this since the bitmap was taken, it would look blurred: it is taken again. */
const SNAPSHOT_MAX_ZOOM = 2;
/** Longest side of the bitmap in device pixels (memory and time to draw it). */
const SNAPSHOT_MAX_PX = 4096;

/** Axis-aligned rectangle in image coordinates. */
interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Bounding box of the polygons' outer rings (holes lie inside them); null when there are none. */
function boundsOf(polygons: readonly EditorPolygon[]): Rect | null {
  let r: Rect | null = null;
  for (const p of polygons) {
    for (const [x, y] of p.points) {
      if (!r) r = { x0: x, y0: y, x1: x, y1: y };
      else {
        r.x0 = Math.min(r.x0, x);
        r.y0 = Math.min(r.y0, y);
        r.x1 = Math.max(r.x1, x);
        r.y1 = Math.max(r.y1, y);
      }
    }
  }
  return r;
}

function intersect(a: Rect, b: Rect): Rect | null {
  const r = { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
  return r.x0 < r.x1 && r.y0 < r.y1 ? r : null;
}

const contains = (outer: Rect, inner: Rect) => outer.x0 <= inner.x0 && outer.y0 <= inner.y0 && outer.x1 >= inner.x1 && outer.y1 >= inner.y1;

/** What the stage shows at this view (image coordinates), grown by `margin` stage sizes on each side. */
function visibleRect(view: View, stage: { width: number; height: number }, margin: number): Rect {
  const [x0, y0] = toImage(view, [-margin * stage.width, -margin * stage.height]);
  const [x1, y1] = toImage(view, [(1 + margin) * stage.width, (1 + margin) * stage.height]);
  return { x0, y0, x1, y1 };
}

interface Snapshot {
  /** The image-coordinate area the bitmap covers. */
  rect: Rect;
  /** The view scale it was drawn at. */
  scale: number;
}

/**
 * Shows `group` (the unselected polygons) as a bitmap in `image` while the view moves: `show(nextView)` before each
 * pan or zoom step draws the group once into an offscreen canvas at the current view (strokes keep their screen
 * width) and hides the group; later steps only move that bitmap, unless it no longer covers the view or is too
 * coarse for it. `end()` shows the shapes again; it runs SNAPSHOT_IDLE_MS after the last step, at the end of a pan,
 * and whenever the polygons shown change (an edit, selection, visibility), so the bitmap is never out of date.
 */
function useViewSnapshot(stageRef: MutableRefObject<Konva.Stage | null>, stageSize: { width: number; height: number }, content: Rect | null) {
  const groupRef = useRef<Konva.Group | null>(null);
  const imageRef = useRef<Konva.Image | null>(null);
  const snapshot = useRef<Snapshot | null>(null);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ stageSize, content });
  latest.current = { stageSize, content };

  const end = () => {
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = null;
    if (!snapshot.current) return;
    snapshot.current = null;
    imageRef.current?.setAttr('image', undefined);
    groupRef.current?.visible(true);
    groupRef.current?.getLayer()?.batchDraw();
  };

  const take = (group: Konva.Group, image: Konva.Image, stage: Konva.Stage, needed: Rect): Snapshot => {
    // Drawn at the stage's current transform, the one on screen; the bitmap then follows the view as a node.
    // Whole screen pixels, plus the outlines' half width beyond the vertices.
    const s = stage.scaleX();
    const [tx, ty] = [stage.x(), stage.y()];
    const pad = OUTLINE_PX;
    const sx0 = Math.floor(needed.x0 * s + tx - pad);
    const sy0 = Math.floor(needed.y0 * s + ty - pad);
    const width = Math.ceil(needed.x1 * s + tx + pad) - sx0;
    const height = Math.ceil(needed.y1 * s + ty + pad) - sy0;
    const pixelRatio = Konva.pixelRatio * Math.min(1, SNAPSHOT_MAX_PX / Math.max(width, height));
    group.visible(true);
    const canvas = group.toCanvas({ x: sx0, y: sy0, width, height, pixelRatio });
    group.visible(false);
    const rect = { x0: (sx0 - tx) / s, y0: (sy0 - ty) / s, x1: (sx0 + width - tx) / s, y1: (sy0 + height - ty) / s };
    image.setAttrs({ image: canvas, x: rect.x0, y: rect.y0, width: width / s, height: height / s });
    return { rect, scale: s };
  };

  const show = (next: View) => {
    const [group, image, stage] = [groupRef.current, imageRef.current, stageRef.current];
    const { stageSize, content } = latest.current;
    if (!group || !image || !stage || !content || Konva.isDragging()) return;
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(end, SNAPSHOT_IDLE_MS);
    const needed = intersect(visibleRect(next, stageSize, 0), content);
    const current = snapshot.current;
    if (current && (!needed || contains(current.rect, needed)) && next.scale <= current.scale * SNAPSHOT_MAX_ZOOM) return;
    const wanted = intersect(visibleRect(next, stageSize, SNAPSHOT_MARGIN), content);
    if (!wanted) return; // nothing of the polygons in view: the shapes cost nothing to draw
    snapshot.current = take(group, image, stage, wanted);
  };

  useEffect(() => () => {
    if (idleTimer.current) clearTimeout(idleTimer.current);
  }, []);

  return { groupRef, imageRef, show, end };
}

export function CanvasView(props: CanvasViewProps) {
  const { stageSize, image, proposals, ui } = props;
  const { tool, selectedKey, selectedVertex, drawing, view, visible, opacity } = ui;
  const polygons = ui.history.present.polygons;
  const toolModule = TOOLS[tool];
  const stageRef = useRef<Konva.Stage | null>(null);
  const gesture = useRef<
    | { kind: 'pan'; start: Point; view: View }
    | { kind: 'window'; start: Point; win: Window }
    | { kind: 'tool'; state: unknown }
    | null
  >(null);
  const [dragVertex, setDragVertex] = useState<{ ring: number; index: number; at: Point } | null>(null);
  const [cursor, setCursor] = useState<Point | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;

  const pointer = (): Point | null => {
    const p = stageRef.current?.getPointerPosition();
    return p ? [p.x, p.y] : null;
  };
  const imagePoint = (): Point | null => {
    const p = pointer();
    return p ? toImage(propsRef.current.ui.view, p) : null;
  };
  const onImage = (e: Konva.KonvaEventObject<MouseEvent>) => e.target === e.target.getStage() || e.target.name() === 'ct-image';

  /** What the current tool sees of this pointer event. */
  const toolInput = (at: Point, clicks: number, onSelection: boolean): ToolInput => {
    const { ui, newKey } = propsRef.current;
    return {
      at: clampToImage(at, image.width, image.height),
      scale: ui.view.scale,
      clicks,
      drawing: ui.drawing,
      activeClass: ui.activeClass,
      newKey,
      image: { width: image.width, height: image.height, values: image.values },
      polygons: editablePolygons,
      proposals: ui.visible.proposals ? propsRef.current.proposals : [],
      selectedKey: ui.selectedKey,
      onSelection,
      options: ui.options,
    };
  };
  const runTool = (step: ToolStep<unknown>) => {
    gesture.current = step.gesture === null ? null : { kind: 'tool', state: step.gesture };
    propsRef.current.onToolStep(step);
  };

  // Wheel zoom around the cursor (native listener: React's wheel handler is passive and cannot preventDefault).
  useEffect(() => {
    const container = stageRef.current?.container();
    if (!container) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      if (e.shiftKey) {
        // Browsers turn a shifted wheel into a horizontal one: either delta steps the slice.
        const step = wheelSliceStep(e.deltaY || e.deltaX);
        if (step) propsRef.current.onSliceStep(step);
        return;
      }
      const rect = container.getBoundingClientRect();
      const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
      const next = zoomAround(propsRef.current.ui.view, [e.clientX - rect.left, e.clientY - rect.top], factor);
      snapshotRef.current.show(next);
      propsRef.current.onView(next);
    };
    container.addEventListener('wheel', onWheel, { passive: false });
    const noMenu = (e: MouseEvent) => e.preventDefault();
    container.addEventListener('contextmenu', noMenu);
    return () => {
      container.removeEventListener('wheel', onWheel);
      container.removeEventListener('contextmenu', noMenu);
    };
  }, []);

  const onMouseDown = (e: Konva.KonvaEventObject<MouseEvent>) => {
    const p = pointer();
    const ip = imagePoint();
    if (!p || !ip) return;
    const button = e.evt.button;
    if (button === 1 || (button === 0 && props.spaceDown)) {
      gesture.current = { kind: 'pan', start: p, view };
      e.evt.preventDefault();
      return;
    }
    if (button === 2) {
      gesture.current = { kind: 'window', start: p, win: ui.win };
      return;
    }
    if (button !== 0) return;
    runTool(toolModule.press(toolInput(ip, e.evt.detail, !onImage(e))));
  };

  const onMouseMove = () => {
    const p = pointer();
    const ip = imagePoint();
    props.onHover(ip && ip[0] >= 0 && ip[1] >= 0 && ip[0] < image.width && ip[1] < image.height ? ip : null);
    if (toolModule.preview === 'outline' ? drawing.length > 0 : toolModule.preview === 'stroke') setCursor(ip);
    const g = gesture.current;
    if (!g || !p) return;
    if (g.kind === 'pan') {
      const next = { ...g.view, x: g.view.x + p[0] - g.start[0], y: g.view.y + p[1] - g.start[1] };
      snapshot.show(next);
      props.onView(next);
    } else if (g.kind === 'window') {
      const dx = p[0] - g.start[0];
      const dy = p[1] - g.start[1];
      props.onWindow({ width: Math.max(1, Math.round(g.win.width + dx * props.windowStep)), level: Math.round(g.win.level - dy * props.windowStep) });
    } else if (ip) {
      runTool(toolModule.drag(g.state, toolInput(ip, 0, false)));
    }
  };

  const onMouseUp = () => {
    const g = gesture.current;
    gesture.current = null;
    if (g?.kind === 'pan') snapshot.end();
    const ip = imagePoint();
    if (g?.kind === 'tool' && ip) runTool(toolModule.release(g.state, toolInput(ip, 0, false)));
  };

  // The annotation layer without the selected polygon; rebuilt only when what it shows changes.
  const shownPolygons = useMemo(() => polygons.filter((p) => visible[p.lesionClass] && !ui.hidden.includes(p.key)), [polygons, visible, ui.hidden]);
  // Locked polygons are drawn but out of every gesture's reach.
  const editablePolygons = useMemo(() => shownPolygons.filter((p) => !ui.locked.includes(p.key)), [shownPolygons, ui.locked]);
  const unselectedPolygons = useMemo(() => shownPolygons.filter((p) => p.key !== selectedKey), [shownPolygons, selectedKey]);
  const unselected = useMemo(
    () =>
      unselectedPolygons.map((p) =>
        props.refusedKeys.has(p.key) ? (
          <PolygonShape key={p.key} polygon={p} colour={REFUSED_COLOUR} opacity={opacity} dashed name="refused" listening={false} />
        ) : (
          <PolygonShape key={p.key} polygon={p} colour={CLASS_COLOURS[p.lesionClass]} opacity={opacity} name="annotation" listening={false} />
        ),
      ),
    [unselectedPolygons, opacity, props.refusedKeys],
  );
  const proposalShapes = useMemo(
    () => (visible.proposals ? proposals.map((p) => <PolygonShape key={p.key} polygon={p} colour={PROPOSAL_COLOUR} opacity={opacity * 0.5} dashed listening={false} />) : null),
    [proposals, visible.proposals, opacity],
  );
  const content = useMemo(() => boundsOf(visible.proposals ? [...unselectedPolygons, ...proposals] : unselectedPolygons), [unselectedPolygons, proposals, visible.proposals]);
  const snapshot = useViewSnapshot(stageRef, stageSize, content);
  const snapshotRef = useRef(snapshot);
  snapshotRef.current = snapshot;
  // The bitmap shows the polygons as they were: any change to them brings the shapes back.
  useLayoutEffect(() => {
    snapshot.end();
  }, [unselected, proposalShapes]); // eslint-disable-line react-hooks/exhaustive-deps

  const selected = polygons.find((p) => p.key === selectedKey) ?? null;
  const shownSelected: EditorPolygon | null =
    selected && dragVertex
      ? {
          ...selected,
          points: dragVertex.ring < 0 ? selected.points.map((v, k) => (k === dragVertex.index ? dragVertex.at : v)) : selected.points,
          holes: selected.holes.map((h, r) => (r === dragVertex.ring ? h.map((v, k) => (k === dragVertex.index ? dragVertex.at : v)) : h)),
        }
      : selected;
  const handleRadius = HANDLE_RADIUS_PX / view.scale;
  const editable = tool === 'select' && !props.spaceDown && ui.canEdit && !(selectedKey !== null && ui.locked.includes(selectedKey));

  return (
    <Stage
      ref={stageRef}
      width={stageSize.width}
      height={stageSize.height}
      scaleX={view.scale}
      scaleY={view.scale}
      x={view.x}
      y={view.y}
      onMouseDown={onMouseDown}
      onMouseMove={onMouseMove}
      onMouseUp={onMouseUp}
      onMouseLeave={() => props.onHover(null)}
      style={{ cursor: props.spaceDown ? 'grab' : toolModule.cursor }}
      data-testid="editor-stage"
    >
      <Layer ref={props.imageLayerRef} listening={tool === 'select'}>
        {image.canvas && <KonvaImage image={image.canvas} width={image.width} height={image.height} name="ct-image" imageSmoothingEnabled={false} />}
      </Layer>
      <Layer listening={false}>
        <Group ref={snapshot.groupRef}>
          {proposalShapes}
          {unselected}
        </Group>
        <KonvaImage ref={snapshot.imageRef} image={undefined} listening={false} />
      </Layer>
      {props.diff && <DiffOutlines diff={props.diff} polygons={polygons} />}
      <Layer>
        {shownSelected && visible[shownSelected.lesionClass] && !ui.hidden.includes(shownSelected.key) && (
          <Group
            draggable={editable}
            onDragEnd={(e) => {
              const g = e.target;
              if (g !== e.currentTarget) return;
              const dx = g.x();
              const dy = g.y();
              g.position({ x: 0, y: 0 });
              props.onEdit({ type: 'move', key: shownSelected.key, dx, dy });
            }}
          >
            <PolygonShape polygon={shownSelected} colour={CLASS_COLOURS[shownSelected.lesionClass]} opacity={Math.min(1, opacity + 0.15)} />
            {[shownSelected.points, ...shownSelected.holes].map((ring, r) => (
              <Line
                key={`edge-${r}`}
                points={[...ring, ring[0]].flat()}
                stroke="#ffffff"
                strokeWidth={1}
                strokeScaleEnabled={false}
                hitStrokeWidth={10 / view.scale}
                name="edge"
                onClick={(e) => {
                  if (!editable || e.evt.button !== 0) return;
                  e.cancelBubble = true;
                  const ip = imagePoint();
                  if (!ip) return;
                  const { op, vertex } = vertexEdits.insertOnEdge(shownSelected, r - 1, ring, ip);
                  props.onEdit(op);
                  props.onSelect(shownSelected.key, vertex);
                }}
              />
            ))}
            {[shownSelected.points, ...shownSelected.holes].flatMap((ring, r) =>
              ring.map(([x, y], k) => {
                const isSelected = selectedVertex?.ring === r - 1 && selectedVertex.index === k;
                return (
                  <Circle
                    key={`v-${r}-${k}`}
                    name="vertex"
                    x={x}
                    y={y}
                    radius={handleRadius}
                    fill={isSelected ? '#4f9cf9' : '#ffffff'}
                    stroke="#000000"
                    strokeWidth={1}
                    strokeScaleEnabled={false}
                    draggable={editable}
                    onMouseDown={(e) => {
                      e.cancelBubble = true;
                      if (e.evt.altKey && editable) props.onEdit(vertexEdits.remove(shownSelected, r - 1, k));
                      else props.onSelect(shownSelected.key, { ring: r - 1, index: k });
                    }}
                    onDragMove={(e) => {
                      e.cancelBubble = true;
                      const at = clampToImage([e.target.x(), e.target.y()], image.width, image.height);
                      setDragVertex({ ring: r - 1, index: k, at });
                    }}
                    onDragEnd={(e) => {
                      e.cancelBubble = true;
                      const at = clampToImage([e.target.x(), e.target.y()], image.width, image.height);
                      setDragVertex(null);
                      props.onEdit(vertexEdits.move(shownSelected, r - 1, k, at));
                    }}
                  />
                );
              }),
            )}
          </Group>
        )}
      </Layer>
      <Layer listening={false}>
        <ToolPreview preview={toolModule.preview} drawing={drawing} cursor={cursor} colour={CLASS_COLOURS[ui.activeClass]} scale={view.scale} brushRadius={ui.options.brushRadius} />
      </Layer>
    </Stage>
  );
}

/** What the current tool is drawing: the open outline (polygon), the trace (freehand), the stroke and brush circle. */
function ToolPreview({ preview, drawing, cursor, colour, scale, brushRadius }: { preview: 'outline' | 'trace' | 'stroke' | 'none'; drawing: Point[]; cursor: Point | null; colour: string; scale: number; brushRadius: number }) {
  if (preview === 'stroke') {
    return (
      <>
        {drawing.length > 0 && <Line points={(drawing.length === 1 ? [drawing[0], drawing[0]] : drawing).flat()} stroke={colour} opacity={0.45} strokeWidth={2 * brushRadius} lineCap="round" lineJoin="round" />}
        {cursor && <Circle x={cursor[0]} y={cursor[1]} radius={brushRadius} stroke={colour} strokeWidth={1} strokeScaleEnabled={false} />}
      </>
    );
  }
  if (drawing.length === 0 || preview === 'none') return null;
  return (
    <>
      <Line points={[...drawing, ...(preview === 'outline' && cursor ? [cursor] : [])].flat()} stroke={colour} strokeWidth={1.5} strokeScaleEnabled={false} dash={[4, 3]} />
      {preview === 'outline' && drawing.map(([x, y], k) => <Circle key={k} x={x} y={y} radius={(k === 0 ? 5 : 3) / scale} fill={k === 0 ? '#ffffff' : colour} />)}
    </>
  );
}

/** The review diff as outlines over the annotation: added and changed outlines in their colour, removed ones dashed. */
function DiffOutlines({ diff, polygons }: { diff: OutlineDiff; polygons: readonly EditorPolygon[] }) {
  const marked = polygons.filter((p) => diff.change[p.key] === 'added' || diff.change[p.key] === 'changed');
  const removed = diff.removed.map((r) => ({ ...r, key: `removed-${r.id}`, source: 'HUMAN' as const }));
  return (
    <Layer listening={false} name="review-diff">
      {marked.map((p) => <PolygonShape key={`diff-${p.key}`} polygon={p} colour={DIFF_COLOURS[diff.change[p.key] as 'added' | 'changed']} opacity={0} name={`diff-${diff.change[p.key]}`} listening={false} />)}
      {removed.map((p) => <PolygonShape key={p.key} polygon={p} colour={DIFF_COLOURS.removed} opacity={0} dashed name="diff-removed" listening={false} />)}
    </Layer>
  );
}
