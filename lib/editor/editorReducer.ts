/**
 * The editor's state as one reducer over commands: the document history (every document change is an EditOp of
 * lib/editor/document.ts, so undo/redo stay exact), the tool and its options, the selection, the outline being
 * drawn, layer visibility, window and view. Pure and free of React: Editor.tsx holds it with useReducer and does
 * the side effects (autosave, fetches) around it.
 */
import type { LesionClass, Point } from '@/lib/imaging/contours';
import type { Window } from '@/lib/imaging/window';
import { record, redo, startHistory, undo, type EditOp, type EditorDoc, type History } from './document';
import type { View } from './geometry';
import type { ToolName, ToolOptions, ToolStep } from './tools/types';

export interface VertexRef {
  ring: number;
  index: number;
}

export type Layer = LesionClass | 'proposals';

export interface EditorUi {
  canEdit: boolean;
  history: History;
  /** Counts the document changes made by the user (edits, undo, redo); autosave sends on each. Loads do not count. */
  changes: number;
  tool: ToolName;
  options: ToolOptions;
  activeClass: LesionClass;
  selectedKey: string | null;
  selectedVertex: VertexRef | null;
  drawing: Point[];
  visible: Record<Layer, boolean>;
  /** Polygons hidden one by one from the lesion list (view only: not drawn, not edited by gestures). */
  hidden: string[];
  /** Polygons locked from the lesion list: drawn, but no gesture or handle changes them. */
  locked: string[];
  opacity: number;
  win: Window;
  help: boolean;
  view: View;
}

export type EditorCommand =
  | { type: 'edit'; op: EditOp }
  | { type: 'undo' }
  | { type: 'redo' }
  /** Replaces the document without an undo step or a save (the server's version, work restored from storage). */
  | { type: 'load'; doc: EditorDoc }
  | { type: 'tool'; tool: ToolName }
  | { type: 'options'; options: Partial<ToolOptions> }
  /** The class for new polygons; with the select tool it also changes the selected polygon's class. */
  | { type: 'class'; lesionClass: LesionClass }
  | { type: 'select'; key: string | null; vertex?: VertexRef | null }
  | { type: 'drawing'; points: Point[] }
  /** A tool's gesture step: its outline, edits and selection. */
  | { type: 'toolStep'; step: ToolStep<unknown> }
  /** Deletes the last vertex drawn, else the selected vertex, else the selected polygon. */
  | { type: 'deleteSelection' }
  /** Drops the outline being drawn, else clears the selection. */
  | { type: 'cancel' }
  | { type: 'toggle'; layer: Layer }
  | { type: 'toggleHidden'; key: string }
  | { type: 'toggleLocked'; key: string }
  | { type: 'opacity'; opacity: number }
  | { type: 'window'; win: Window }
  | { type: 'help'; open: boolean }
  | { type: 'view'; view: View };

export const DEFAULT_TOOL_OPTIONS: ToolOptions = { brushRadius: 6, range: { low: -750, high: -300 }, tolerance: 40 };

export function initialEditorUi(doc: EditorDoc, init: { canEdit: boolean; win: Window; options?: Partial<ToolOptions> }): EditorUi {
  return {
    canEdit: init.canEdit,
    history: startHistory(doc),
    changes: 0,
    tool: init.canEdit ? 'polygon' : 'select',
    options: { ...DEFAULT_TOOL_OPTIONS, ...init.options },
    activeClass: 'GGO',
    selectedKey: null,
    selectedVertex: null,
    drawing: [],
    visible: { GGO: true, C: true, proposals: true },
    hidden: [],
    locked: [],
    opacity: 0.3,
    win: init.win,
    help: false,
    view: { scale: 1, x: 0, y: 0 },
  };
}

/** A new history: counted as a change, and a selection of a polygon that no longer exists is dropped. */
function withHistory(state: EditorUi, history: History): EditorUi {
  if (history === state.history) return state;
  const stillThere = state.selectedKey !== null && history.present.polygons.some((p) => p.key === state.selectedKey);
  return { ...state, history, changes: state.changes + 1, ...(stillThere ? {} : { selectedKey: null, selectedVertex: null }) };
}

function applyEdits(state: EditorUi, ops: readonly EditOp[]): EditorUi {
  if (!state.canEdit) return state;
  return ops.reduce((s, op) => withHistory(s, record(s.history, op)), state);
}

function selectKey(state: EditorUi, key: string | null, vertex: VertexRef | null = null): EditorUi {
  const polygon = key === null ? null : state.history.present.polygons.find((p) => p.key === key);
  return { ...state, selectedKey: key, selectedVertex: vertex, ...(polygon ? { activeClass: polygon.lesionClass } : {}) };
}

const toggled = (keys: string[], key: string) => (keys.includes(key) ? keys.filter((k) => k !== key) : [...keys, key]);
const roundTenth = (x: number) => Math.round(x * 10) / 10;

export function editorReducer(state: EditorUi, command: EditorCommand): EditorUi {
  switch (command.type) {
    case 'edit':
      return applyEdits(state, [command.op]);
    case 'undo':
      return { ...withHistory(state, undo(state.history)), selectedVertex: null };
    case 'redo':
      return { ...withHistory(state, redo(state.history)), selectedVertex: null };
    case 'load':
      return { ...state, history: startHistory(command.doc), selectedKey: null, selectedVertex: null, drawing: [] };
    case 'tool':
      return command.tool === state.tool ? state : { ...state, tool: command.tool, drawing: [] };
    case 'options':
      return { ...state, options: { ...state.options, ...command.options } };
    case 'class': {
      const next = { ...state, activeClass: command.lesionClass };
      if (state.tool !== 'select' || !state.selectedKey) return next;
      return applyEdits(next, [{ type: 'setClass', key: state.selectedKey, lesionClass: command.lesionClass }]);
    }
    case 'select':
      return selectKey(state, command.key, command.vertex ?? null);
    case 'drawing':
      return { ...state, drawing: command.points };
    case 'toolStep': {
      const { step } = command;
      let next = step.drawing ? { ...state, drawing: step.drawing } : state;
      if (step.ops?.length) next = applyEdits(next, step.ops);
      if (step.select !== undefined) next = selectKey(next, step.select);
      return next;
    }
    case 'deleteSelection': {
      if (state.drawing.length) return { ...state, drawing: state.drawing.slice(0, -1) };
      const key = state.selectedKey;
      if (!key) return state;
      if (state.selectedVertex) {
        const { ring, index } = state.selectedVertex;
        return { ...applyEdits(state, [{ type: 'deleteVertex', key, ring, index }]), selectedVertex: null };
      }
      return applyEdits(state, [{ type: 'delete', key }]);
    }
    case 'cancel':
      if (state.drawing.length) return { ...state, drawing: [] };
      return { ...state, selectedKey: null, selectedVertex: null };
    case 'toggle':
      return { ...state, visible: { ...state.visible, [command.layer]: !state.visible[command.layer] } };
    case 'toggleHidden': {
      const hidden = toggled(state.hidden, command.key);
      const hideSelection = hidden.includes(command.key) && state.selectedKey === command.key;
      return { ...state, hidden, ...(hideSelection ? { selectedKey: null, selectedVertex: null } : {}) };
    }
    case 'toggleLocked':
      return { ...state, locked: toggled(state.locked, command.key) };
    case 'opacity':
      return { ...state, opacity: Math.min(1, Math.max(0, roundTenth(command.opacity))) };
    case 'window':
      return { ...state, win: command.win };
    case 'help':
      return state.help === command.open ? state : { ...state, help: command.open };
    case 'view':
      return { ...state, view: command.view };
  }
}
