'use client';
/**
 * The annotation editor: state, keyboard, toolbar and saving around the Konva canvas. Edits go through the pure
 * document model (lib/editor/document.ts) with undo/redo; saving through the AutosaveController, which keeps
 * every change in local storage until the server has confirmed it.
 */
import type Konva from 'konva';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { EditorState } from '@/lib/annotations/service';
import type { ReviewContext } from '@/lib/review/reviewContext';
import { AutosaveController, type SavePayload, type SaveStatus, type SendResult } from '@/lib/editor/autosave';
import type { EditOp, EditorDoc, EditorPolygon } from '@/lib/editor/document';
import { editorApi } from '@/lib/editor/editorApi';
import { editorReducer, initialEditorUi, type EditorCommand } from '@/lib/editor/editorReducer';
import { thresholdPresetsFor, toolDefaultsFor } from '@/lib/editor/tools/ranges';
import { fitView } from '@/lib/editor/geometry';
import { openProposals } from '@/lib/editor/proposals';
import { interpolateOutlines } from '@/lib/editor/interpolate';
import { copyFromNeighbour } from '@/lib/editor/volume';
import type { ToolName, ToolStep } from '@/lib/editor/tools';
import type { LesionClass, Point } from '@/lib/imaging/contours';
import { windowPresetsFor } from '@/lib/imaging/window';
import { CanvasView, CLASS_COLOURS, DIFF_COLOURS } from './CanvasView';
import { HelpOverlay } from './HelpOverlay';
import { LesionList } from './LesionList';
import { ReviewPanel } from './ReviewPanel';
import { actionFor, type EditorAction } from './shortcuts';
import { prefetchPixels, usePixels, useWindowedCanvas } from './usePixels';

const STATUS_TEXT: Record<SaveStatus, string> = {
  saved: 'All changes saved',
  dirty: 'Unsaved changes…',
  saving: 'Saving…',
  offline: 'Offline — changes kept in this browser, will be sent when the server is back',
  conflict: 'Conflict — someone else saved this slice',
  error: 'Not saved',
};
const HEARTBEAT_MS = 2 * 60_000;
/** The longest pause between two edits that still counts as editing time. */
const IDLE_CAP_MS = 60_000;

const TOOL_BUTTONS: { tool: ToolName; label: string }[] = [
  { tool: 'select', label: 'Select (V)' },
  { tool: 'polygon', label: 'Polygon (P)' },
  { tool: 'freehand', label: 'Freehand (F)' },
  { tool: 'brush', label: 'Brush (B)' },
  { tool: 'eraser', label: 'Eraser (E)' },
  { tool: 'threshold', label: 'Threshold (H)' },
  { tool: 'wand', label: 'Wand (G)' },
];
const BRUSH_RADII = { min: 1, max: 60 };

const toEditorPolygon = (p: EditorState['polygons'][number]): EditorPolygon => ({ key: p.id, id: p.id, lesionClass: p.lesionClass, points: p.points, holes: p.holes, source: p.source });
export const docFromState = (s: EditorState): EditorDoc => ({ polygons: s.polygons.map(toEditorPolygon), sliceClass: s.sliceClass, unsure: s.unsure });
const idsFromState = (s: EditorState) => Object.fromEntries(s.polygons.map((p) => [p.id, p.id]));

/** Fields that use the keyboard themselves (text, numbers, sliders and lists), where shortcuts must not fire. */
function typesText(el: HTMLElement): boolean {
  if (el instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit'].includes(el.type);
  return el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.isContentEditable;
}

let keyCounter = 0;
const newKey = () => `new-${Date.now().toString(36)}-${(keyCounter++).toString(36)}`;

/** `review`: the review screen (decisions only, the author, what changed since the previous submission). */
export default function Editor({ initial, canEdit, canReview, readOnlyReason, review }: { initial: EditorState; canEdit: boolean; canReview: boolean; readOnlyReason?: string; review?: ReviewContext }) {
  const router = useRouter();
  const sliceId = initial.sliceId;
  const storageKey = `ctms:pending:${sliceId}`;
  const api = useMemo(() => editorApi(sliceId, { width: initial.width, height: initial.height }), [sliceId, initial.width, initial.height]);
  const [ui, dispatch] = useReducer(editorReducer, undefined, () => initialEditorUi(docFromState(initial), { canEdit, win: initial.window, options: toolDefaultsFor(initial.pixelKind) }));
  const { history, tool, activeClass, selectedKey, visible, opacity, win, help, view } = ui;
  const doc = history.present;
  // Work an earlier page left unsent shows as unsaved from the first frame until it is delivered.
  const [status, setStatus] = useState<SaveStatus>(() => (AutosaveController.pending(window.localStorage, `ctms:pending:${initial.sliceId}`) ? 'dirty' : 'saved'));
  const [statusMessage, setStatusMessage] = useState<string | null>(null);
  const [conflict, setConflict] = useState<EditorState | null>(null);
  // Polygons the last save left out because the server would refuse them: outlined in red until fixed.
  const [refusedKeys, setRefusedKeys] = useState<ReadonlySet<string>>(() => new Set());
  const [version, setVersion] = useState(initial.version);
  const [spaceDown, setSpaceDown] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [stageSize, setStageSize] = useState({ width: 800, height: 600 });
  const [hover, setHover] = useState<{ p: Point; value: number } | null>(null);
  const containerRef = useRef<HTMLDivElement | null>(null);
  const imageLayerRef = useRef<Konva.Layer | null>(null);
  const autosave = useRef<AutosaveController | null>(null);
  // Active editing time: the gaps between edits, each capped, so a coffee break is not counted as work.
  const activeMs = useRef(0);
  const lastEditAt = useRef<number | null>(null);
  const fromProposal = useRef<string | null>(null);
  const navigating = useRef(false);
  const { pixels, error: pixelError } = usePixels(sliceId);
  const canvas = useWindowedCanvas(pixels, win, () => imageLayerRef.current?.batchDraw());
  const allProposals = useMemo(() => initial.proposals.map(toEditorPolygon), [initial.proposals]);
  // proposals already taken are no longer offered (undoing the take offers them again)
  const proposals = useMemo(() => openProposals(allProposals, doc.polygons), [allProposals, doc.polygons]);

  // Autosave wiring; restores work an earlier page left unsent (offline, closed tab, crash).
  useEffect(() => {
    const send = async (payload: SavePayload): Promise<SendResult> => {
      const active = Math.round(activeMs.current);
      activeMs.current = 0;
      try {
        return await api.save(payload, { activeMs: active, proposalVersionId: fromProposal.current });
      } catch (error) {
        activeMs.current += active; // not delivered: counted with the next save
        throw error;
      }
    };
    const pending = AutosaveController.pending(window.localStorage, storageKey);
    const controller = new AutosaveController(
      {
        send,
        storage: window.localStorage,
        storageKey,
        onStatus: (s, detail) => {
          setStatus(s);
          setStatusMessage(detail?.message ?? null);
          setConflict(s === 'conflict' ? ((detail?.current as EditorState) ?? null) : null);
          if (s === 'saved' || s === 'error') setRefusedKeys(new Set((detail?.refused ?? []).map((r) => r.key)));
        },
        onSaved: (v) => setVersion(v),
      },
      pending?.baseVersion ?? initial.version,
      { ...idsFromState(initial), ...(pending?.ids ?? {}) },
    );
    autosave.current = controller;
    if (pending) {
      dispatch({ type: 'load', doc: pending.doc });
      controller.change(pending.doc);
    }
    const online = () => controller.retryNow();
    const leaving = () => void controller.flush();
    window.addEventListener('online', online);
    window.addEventListener('pagehide', leaving);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('pagehide', leaving);
      void controller.flush().finally(() => controller.dispose());
    };
  }, [sliceId]); // eslint-disable-line react-hooks/exhaustive-deps

  // Every change of the document by the user (edit, undo, redo) goes to autosave; loads do not. A layout effect:
  // the status says "unsaved" in the same frame as the change, never "saved" over an edit not yet handed over.
  useLayoutEffect(() => {
    if (ui.changes > 0) autosave.current?.change(history.present);
  }, [ui.changes]); // eslint-disable-line react-hooks/exhaustive-deps

  /** Counts active editing time, notes an accepted proposal's model version, then hands the command to the reducer. */
  const command = useCallback(
    (c: EditorCommand, edits: readonly EditOp[]) => {
      if (edits.length && canEdit) {
        const now = Date.now();
        if (lastEditAt.current !== null) activeMs.current += Math.min(now - lastEditAt.current, IDLE_CAP_MS);
        lastEditAt.current = now;
        if (edits.some((op) => op.type === 'acceptProposals')) fromProposal.current = initial.proposalVersionId;
      }
      dispatch(c);
    },
    [canEdit, initial.proposalVersionId],
  );
  const edit = useCallback((op: EditOp) => command({ type: 'edit', op }, [op]), [command]);
  const onToolStep = useCallback(
    (step: ToolStep<unknown>) => {
      if (step.take) edit({ type: 'acceptProposals', proposals: [step.take], newKey });
      if (step.drawing || step.ops?.length || step.select !== undefined) command({ type: 'toolStep', step }, step.ops ?? []);
    },
    [command, edit],
  );

  // Lease heartbeat while the page is open.
  useEffect(() => {
    const timer = setInterval(() => void api.heartbeat(), HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [api]);

  // Stage size follows its container; the view is fitted once the size is known.
  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const fit = () => {
      const size = { width: el.clientWidth, height: el.clientHeight };
      setStageSize(size);
      return size;
    };
    const size = fit();
    dispatch({ type: 'view', view: fitView(initial.width, initial.height, size.width, size.height) });
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    return () => observer.disconnect();
  }, [initial.width, initial.height]);

  const onHover = useCallback(
    (p: Point | null) => {
      if (!p || !pixels) return setHover(null);
      const x = Math.floor(p[0]);
      const y = Math.floor(p[1]);
      setHover({ p: [x, y], value: pixels.values[y * pixels.width + x] });
    },
    [pixels],
  );

  const goNext = useCallback(
    async (skip: boolean) => {
      setBusy(skip ? 'Skipping…' : 'Loading the next slice…');
      await autosave.current?.flush();
      const next = await api.next(skip);
      setBusy(null);
      if (!next.ok) return setStatusMessage(next.error);
      if (!next.sliceId) return router.push('/annotate?empty=1');
      prefetchPixels(next.sliceId); // loads while the page navigates
      router.push(`/annotate/${next.sliceId}`);
    },
    [api, router],
  );

  const submit = useCallback(async () => {
    setBusy('Submitting…');
    const saved = await autosave.current?.flush();
    if (saved === false) {
      setBusy(null);
      return setStatusMessage('Save first: the slice has unsaved changes that could not be sent');
    }
    const result = await api.submit(autosave.current?.baseVersion ?? version);
    setBusy(null);
    if (!result.ok) return setStatusMessage(result.error);
    await goNext(false);
  }, [api, goNext, version]);

  /** Opens another slice of the study: the work here is flushed first; a step while one is loading is ignored. */
  const goToSlice = useCallback(
    async (id: string | null) => {
      if (!id || navigating.current) return;
      navigating.current = true;
      setBusy('Loading the slice…');
      await autosave.current?.flush();
      prefetchPixels(id);
      router.push(`/annotate/${id}`);
    },
    [router],
  );
  const stepSlice = (step: 1 | -1) => void goToSlice(step > 0 ? initial.stack.next : initial.stack.previous);
  const copyFrom = async (id: string | null) => {
    if (!id) return;
    const other = await api.annotationOf(id);
    if (!other) return setStatusMessage('Could not read the neighbouring slice');
    const op = copyFromNeighbour(other.polygons, { width: initial.width, height: initial.height }, newKey);
    if (!op) return setStatusMessage('The neighbouring slice has no outlines to copy');
    edit(op);
  };

  /** Fills this slice from the lesions of the slices before and after it, blended at its place between them. */
  const interpolate = async () => {
    const { previous, next } = initial.stack;
    if (!previous || !next) return setStatusMessage('Interpolation needs a slice before and after this one');
    const [before, after] = await Promise.all([api.annotationOf(previous), api.annotationOf(next)]);
    if (!before || !after) return setStatusMessage('Could not read the neighbouring slices');
    const t = (initial.index - before.index) / (after.index - before.index);
    const op = interpolateOutlines(before.polygons, after.polygons, { width: initial.width, height: initial.height }, t, newKey);
    if (!op) return setStatusMessage('Nothing to interpolate: the slices before and after share no outlined class');
    edit(op);
  };

  const selectClass = (c: LesionClass) => command({ type: 'class', lesionClass: c }, tool === 'select' && selectedKey ? [{ type: 'setClass', key: selectedKey, lesionClass: c }] : []);
  const fit = () => dispatch({ type: 'view', view: fitView(initial.width, initial.height, stageSize.width, stageSize.height) });
  // Presets in the slice's own units: HU windows on CT, display-value windows on 8-bit slices.
  const windowPresets = windowPresetsFor(initial.pixelKind);
  const setWindowPreset = (k: number | 'default') => dispatch({ type: 'window', win: k === 'default' ? initial.window : { ...windowPresets[k].win } });
  const finishDrawing = () => {
    const polygon = ui.drawing.length >= 3 ? { key: newKey(), lesionClass: activeClass, points: ui.drawing, holes: [], source: 'HUMAN' as const } : null;
    const ops: EditOp[] = polygon ? [{ type: 'add', polygon }] : [];
    command({ type: 'toolStep', step: { gesture: null, drawing: [], ops } }, ops);
  };
  const deleteSelection = () => command({ type: 'deleteSelection' }, !ui.drawing.length && selectedKey ? [{ type: 'delete', key: selectedKey }] : []);

  const setBrushRadius = (r: number) => dispatch({ type: 'options', options: { brushRadius: Math.min(BRUSH_RADII.max, Math.max(BRUSH_RADII.min, Math.round(r))) } });
  const thresholdPresets = thresholdPresetsFor(initial.pixelKind);

  const run = (action: EditorAction) => {
    switch (action) {
      case 'tool-select': return dispatch({ type: 'tool', tool: 'select' });
      case 'tool-polygon': return dispatch({ type: 'tool', tool: 'polygon' });
      case 'tool-freehand': return dispatch({ type: 'tool', tool: 'freehand' });
      case 'tool-brush': return dispatch({ type: 'tool', tool: 'brush' });
      case 'tool-eraser': return dispatch({ type: 'tool', tool: 'eraser' });
      case 'tool-threshold': return dispatch({ type: 'tool', tool: 'threshold' });
      case 'tool-wand': return dispatch({ type: 'tool', tool: 'wand' });
      case 'brush-smaller': return setBrushRadius(ui.options.brushRadius - 1);
      case 'brush-larger': return setBrushRadius(ui.options.brushRadius + 1);
      case 'class-ggo': return selectClass('GGO');
      case 'class-c': return selectClass('C');
      case 'toggle-ggo': return dispatch({ type: 'toggle', layer: 'GGO' });
      case 'toggle-c': return dispatch({ type: 'toggle', layer: 'C' });
      case 'toggle-proposals': return dispatch({ type: 'toggle', layer: 'proposals' });
      case 'accept-proposals': return edit({ type: 'acceptProposals', proposals, newKey });
      case 'opacity-down': return dispatch({ type: 'opacity', opacity: opacity - 0.1 });
      case 'opacity-up': return dispatch({ type: 'opacity', opacity: opacity + 0.1 });
      case 'window-lung': return setWindowPreset(0);
      case 'window-mediastinal': return setWindowPreset(1);
      case 'window-default': return setWindowPreset('default');
      case 'fit': return fit();
      case 'undo': return command({ type: 'undo' }, []);
      case 'redo': return command({ type: 'redo' }, []);
      case 'delete': return deleteSelection();
      case 'finish': return finishDrawing();
      case 'cancel': return help ? dispatch({ type: 'help', open: false }) : dispatch({ type: 'cancel' });
      case 'submit': return void submit();
      case 'next-slice': return void goNext(true);
      case 'slice-previous': return stepSlice(-1);
      case 'slice-next': return stepSlice(1);
      case 'copy-previous': return void copyFrom(initial.stack.previous);
      case 'copy-next': return void copyFrom(initial.stack.next);
      case 'interpolate': return void interpolate();
      case 'help': return dispatch({ type: 'help', open: !help });
    }
  };
  const runRef = useRef(run);
  runRef.current = run;

  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      // Keys typed into a field belong to it; a checkbox or button just clicked (a lesion's Lock box) keeps none.
      if (e.target instanceof HTMLElement && typesText(e.target)) return;
      if (e.code === 'Space') {
        setSpaceDown(true);
        e.preventDefault();
        return;
      }
      const action = actionFor(e);
      if (!action) return;
      e.preventDefault();
      runRef.current(action);
    };
    const up = (e: KeyboardEvent) => e.code === 'Space' && setSpaceDown(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  }, []);

  const resolveConflict = (keepMine: boolean) => {
    if (!conflict) return;
    if (keepMine) autosave.current?.keepMine(conflict.version);
    else {
      autosave.current?.discardMine(conflict.version, idsFromState(conflict));
      dispatch({ type: 'load', doc: docFromState(conflict) });
      setVersion(conflict.version);
    }
    setConflict(null);
  };

  const counts = { GGO: doc.polygons.filter((p) => p.lesionClass === 'GGO').length, C: doc.polygons.filter((p) => p.lesionClass === 'C').length };
  const readonly = !canEdit;

  return (
    <div className="editor">
      <div className="editor-toolbar" role="toolbar" aria-label="Editor tools">
        {TOOL_BUTTONS.map(({ tool: t, label }) => (
          <button key={t} aria-pressed={tool === t} className={tool === t ? 'primary' : ''} onClick={() => dispatch({ type: 'tool', tool: t })}>
            {label}
          </button>
        ))}
        <span className="sep" />
        {(['GGO', 'C'] as LesionClass[]).map((c) => (
          <button key={c} aria-pressed={activeClass === c} onClick={() => selectClass(c)} style={{ borderColor: CLASS_COLOURS[c], ...(activeClass === c ? { background: CLASS_COLOURS[c], color: '#111' } : {}) }}>
            {c} ({counts[c]})
          </button>
        ))}
        <label className="inline">
          <input type="checkbox" checked={visible.GGO} onChange={() => run('toggle-ggo')} /> GGO
        </label>
        <label className="inline">
          <input type="checkbox" checked={visible.C} onChange={() => run('toggle-c')} /> C
        </label>
        <label className="inline" title="Fill opacity ([ and ])">
          Fill <input type="range" min={0} max={1} step={0.1} value={opacity} onChange={(e) => dispatch({ type: 'opacity', opacity: Number(e.target.value) })} aria-label="Fill opacity" />
        </label>
        {allProposals.length > 0 && (
          <>
            <label className="inline" title="Model proposals not taken yet; with the select tool (V), a click on one takes it">
              <input type="checkbox" checked={visible.proposals} onChange={() => run('toggle-proposals')} /> Proposals ({proposals.length})
            </label>
            <button onClick={() => run('accept-proposals')} disabled={proposals.length === 0}>Accept proposals (A)</button>
          </>
        )}
        <span className="sep" />
        <button onClick={() => run('undo')} disabled={history.past.length === 0}>Undo</button>
        <button onClick={() => run('redo')} disabled={history.future.length === 0}>Redo</button>
        <button onClick={() => run('help')} aria-label="Keyboard shortcuts">?</button>
      </div>

      {['brush', 'eraser', 'threshold', 'wand'].includes(tool) && (
        <div className="editor-toolbar" role="group" aria-label="Tool settings" data-testid="tool-options">
          {tool !== 'wand' && (
            <label className="inline" title="Brush radius in image pixels ({ and })">
              Size <input type="range" min={BRUSH_RADII.min} max={BRUSH_RADII.max} value={ui.options.brushRadius} onChange={(e) => setBrushRadius(Number(e.target.value))} aria-label="Brush size" /> {ui.options.brushRadius} px
            </label>
          )}
          {tool === 'threshold' && (
            <>
              <label className="inline">
                From <input type="number" value={ui.options.range.low} onChange={(e) => dispatch({ type: 'options', options: { range: { ...ui.options.range, low: Number(e.target.value) } } })} aria-label="Range low" style={{ width: '5em' }} />
              </label>
              <label className="inline">
                to <input type="number" value={ui.options.range.high} onChange={(e) => dispatch({ type: 'options', options: { range: { ...ui.options.range, high: Number(e.target.value) } } })} aria-label="Range high" style={{ width: '5em' }} /> {initial.pixelKind === 'HU' ? 'HU' : '(display values)'}
              </label>
              {thresholdPresets.map((p) => (
                <button key={p.name} onClick={() => dispatch({ type: 'options', options: { range: p.range } })} title={`${p.range.low} … ${p.range.high}`}>{p.name}</button>
              ))}
            </>
          )}
          {tool === 'wand' && (
            <label className="inline" title="Neighbours differing from the clicked pixel by at most this join the region">
              Tolerance <input type="range" min={0} max={initial.pixelKind === 'HU' ? 400 : 100} value={ui.options.tolerance} onChange={(e) => dispatch({ type: 'options', options: { tolerance: Number(e.target.value) } })} aria-label="Wand tolerance" /> {ui.options.tolerance}
            </label>
          )}
        </div>
      )}
      {conflict && (
        <div className="banner conflict" role="alert" data-testid="conflict-banner">
          Someone else saved this slice while you were editing (now version {conflict.version}). Your changes are kept in this browser.
          <button onClick={() => resolveConflict(false)}>Load their version</button>
          <button className="primary" onClick={() => resolveConflict(true)}>Keep mine as a new revision</button>
        </div>
      )}
      {readonly && <div className="banner" data-testid="readonly-banner">{readOnlyReason ?? `This slice is ${initial.status.toLowerCase()}; only a reviewer can change it.`}</div>}
      {initial.review?.action === 'REJECT' && initial.status === 'IN_PROGRESS' && (
        <div className="banner conflict" role="status" data-testid="review-comment">
          Returned by {initial.review.reviewer ?? 'a reviewer'}: “{initial.review.comment}”
        </div>
      )}

      <div className="editor-body">
        {/* The view transform is exposed for browser tests and the benchmark, which drive the canvas in image coordinates. */}
        <div className="editor-canvas" ref={containerRef} data-testid="editor-canvas" data-scale={view.scale} data-x={view.x} data-y={view.y} data-ready={canvas ? '1' : '0'} data-selected={selectedKey ?? ''}>
          {pixelError && <p className="error">{pixelError}</p>}
          <CanvasView
            stageSize={stageSize}
            image={{ width: initial.width, height: initial.height, canvas, values: pixels?.values ?? null }}
            imageLayerRef={imageLayerRef}
            ui={ui}
            proposals={proposals}
            refusedKeys={refusedKeys}
            diff={review?.diff ?? null}
            windowStep={initial.pixelKind === 'HU' ? 4 : 1}
            spaceDown={spaceDown}
            newKey={newKey}
            onToolStep={onToolStep}
            onEdit={edit}
            onSelect={(key, vertex) => dispatch({ type: 'select', key, vertex })}
            onView={(v) => dispatch({ type: 'view', view: v })}
            onWindow={(w) => dispatch({ type: 'window', win: w })}
            onHover={onHover}
            onSliceStep={stepSlice}
          />
          {help && <HelpOverlay onClose={() => dispatch({ type: 'help', open: false })} />}
        </div>
        <aside className="editor-side card">
          <div data-testid="save-status" data-status={status} className={`save-status ${status}`}>{STATUS_TEXT[status]}</div>
          {statusMessage && <p className="error" role="alert" data-testid="save-message">{statusMessage}</p>}
          <div className="muted">
            {initial.study.scanKey} · {initial.width}×{initial.height}
          </div>
          <StudyStackPanel stack={initial.stack} onGo={(id) => void goToSlice(id)} onCopy={(id) => void copyFrom(id)} onInterpolate={() => void interpolate()} canEdit={canEdit} />
          <div data-testid="window-readout">W {win.width} / L {win.level}</div>
          <div data-testid="pixel-readout" className="muted">
            {hover ? `x ${hover.p[0]}, y ${hover.p[1]}: ${initial.pixelKind === 'HU' ? `${hover.value} HU` : `display value ${hover.value} (not HU)`}` : 'Move over the image'}
          </div>
          <div className="row">
            {windowPresets.map((p, k) => (
              <button key={p.name} onClick={() => setWindowPreset(k)} title={`W ${p.win.width} / L ${p.win.level}`}>{p.label} ({k === 0 ? 'L' : 'M'})</button>
            ))}
            <button onClick={fit}>Fit (0)</button>
          </div>
          <label>
            Slice class
            <select aria-label="Slice class" value={doc.sliceClass ?? ''} onChange={(e) => edit({ type: 'setSliceClass', sliceClass: e.target.value || null })}>
              <option value="">— not set —</option>
              {initial.sliceClasses.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
          <label className="inline">
            <input type="checkbox" checked={doc.unsure} onChange={(e) => edit({ type: 'setUnsure', unsure: e.target.checked })} /> Unsure
          </label>
          {review ? <ReviewSummary review={review} /> : (
          <div className="stack">
            <button className="primary" onClick={() => void submit()} disabled={!!busy || readonly}>Submit for review (Ctrl+Enter)</button>
            <button onClick={() => void goNext(true)} disabled={!!busy}>Skip — next slice (N)</button>
            {busy && <span className="muted">{busy}</span>}
          </div>
          )}
          {canReview && <ReviewPanel sliceId={sliceId} status={initial.status} flush={() => autosave.current?.flush() ?? Promise.resolve(true)} baseVersion={() => autosave.current?.baseVersion ?? version} nextHref={review ? (review.nextId ? `/review/${review.nextId}` : '/review') : undefined} />}
          <LesionList
            polygons={doc.polygons}
            spacing={initial.pixelSpacing}
            selectedKey={selectedKey}
            hidden={ui.hidden}
            locked={ui.locked}
            onSelect={(key) => {
              dispatch({ type: 'tool', tool: 'select' });
              dispatch({ type: 'select', key });
            }}
            onToggleHidden={(key) => dispatch({ type: 'toggleHidden', key })}
            onToggleLocked={(key) => dispatch({ type: 'toggleLocked', key })}
          />
          <p className="muted">
            Version {version} · {doc.polygons.length} polygons · <a href={`/slices/${sliceId}/history`}>History</a>
          </p>
        </aside>
      </div>
    </div>
  );
}

/** The slice's place in its study, with the neighbours as previews to open or to copy outlines from. */
function StudyStackPanel({ stack, onGo, onCopy, onInterpolate, canEdit }: { stack: EditorState['stack']; onGo(id: string): void; onCopy(id: string): void; onInterpolate(): void; canEdit: boolean }) {
  const neighbour = (id: string | null, label: string, keys: string, copyKeys: string) =>
    id ? (
      <figure className="stack-neighbour" data-testid={`neighbour-${label.toLowerCase()}`}>
        {/* eslint-disable-next-line @next/next/no-img-element -- a thumbnail from our own API, not a static asset */}
        <img src={`/api/slices/${id}/image?size=thumb`} alt={`${label} slice`} width={96} height={96} style={{ objectFit: 'contain', cursor: 'pointer' }} onClick={() => onGo(id)} />
        <figcaption>
          <button onClick={() => onGo(id)}>{label} ({keys})</button>
          {canEdit && <button onClick={() => onCopy(id)} title={`Copy its outlines into this slice (${copyKeys})`}>Copy outlines</button>}
        </figcaption>
      </figure>
    ) : null;
  return (
    <div data-testid="study-stack">
      <div data-testid="stack-position">Slice {stack.position} of {stack.count} in this study</div>
      {stack.count > 1 && (
        <div className="row">
          {neighbour(stack.previous, 'Previous', '↑', 'Shift+↑')}
          {neighbour(stack.next, 'Next', '↓', 'Shift+↓')}
        </div>
      )}
      {canEdit && stack.previous && stack.next && <button onClick={onInterpolate} title="Blend the lesions of the slices before and after into this one">Interpolate from neighbours (I)</button>}
    </div>
  );
}

/** Who submitted the slice and when, and what the outlines' colours say about the change since the previous submission. */
function ReviewSummary({ review }: { review: ReviewContext }) {
  const counts = { added: 0, changed: 0, unchanged: 0 };
  for (const c of Object.values(review.diff?.change ?? {})) counts[c]++;
  return (
    <div className="stack" data-testid="review-summary">
      <div data-testid="review-author">
        Submitted by {review.author ?? 'unknown'}{review.submittedAt ? ` on ${review.submittedAt.replace('T', ' ').slice(0, 16)} UTC` : ''}
      </div>
      {review.diff ? (
        <div className="muted" data-testid="review-diff">
          Since the previous submission: <span style={{ color: DIFF_COLOURS.added }}>{counts.added} added</span>, <span style={{ color: DIFF_COLOURS.changed }}>{counts.changed} changed</span>,{' '}
          <span style={{ color: DIFF_COLOURS.removed }}>{review.diff.removed.length} removed</span> (dashed), {counts.unchanged} unchanged
        </div>
      ) : (
        <div className="muted">First submission of this slice.</div>
      )}
    </div>
  );
}
