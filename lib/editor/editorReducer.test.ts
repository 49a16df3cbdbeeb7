import { describe, expect, it } from 'vitest';
import type { EditorDoc, EditorPolygon } from './document';
import { editorReducer, initialEditorUi, type EditorUi } from './editorReducer';

const tri = (key: string, lesionClass: 'GGO' | 'C' = 'GGO'): EditorPolygon => ({ key, lesionClass, points: [[0, 0], [10, 0], [0, 10]], holes: [], source: 'HUMAN' });
const doc = (...polygons: EditorPolygon[]): EditorDoc => ({ polygons, sliceClass: null, unsure: false });
const start = (d: EditorDoc, canEdit = true): EditorUi => initialEditorUi(d, { canEdit, win: { width: 1500, level: -600 } });

describe('editor reducer', () => {
  it('counts user edits, undo and redo as changes (autosave sends on each) but not loads', () => {
    let s = start(doc());
    s = editorReducer(s, { type: 'edit', op: { type: 'add', polygon: tri('a') } });
    expect(s.changes).toBe(1);
    s = editorReducer(s, { type: 'undo' });
    expect(s.history.present.polygons).toEqual([]);
    s = editorReducer(s, { type: 'redo' });
    expect(s.history.present.polygons.map((p) => p.key)).toEqual(['a']);
    expect(s.changes).toBe(3);
    s = editorReducer(s, { type: 'load', doc: doc(tri('b')) });
    expect(s.changes).toBe(3);
    expect(s.history.past).toEqual([]);
  });

  it('refuses edits on a read-only slice', () => {
    const s = start(doc(), false);
    expect(editorReducer(s, { type: 'edit', op: { type: 'add', polygon: tri('a') } })).toBe(s);
    expect(s.tool).toBe('select');
  });

  it('a class key sets the class of new polygons, and with the select tool also the selected polygon’s', () => {
    let s = start(doc(tri('a')));
    s = editorReducer(s, { type: 'class', lesionClass: 'C' });
    expect(s.activeClass).toBe('C');
    expect(s.history.present.polygons[0].lesionClass).toBe('GGO');
    s = editorReducer(editorReducer(s, { type: 'tool', tool: 'select' }), { type: 'select', key: 'a' });
    expect(s.activeClass).toBe('GGO'); // selecting takes the polygon's class
    s = editorReducer(s, { type: 'class', lesionClass: 'C' });
    expect(s.history.present.polygons[0].lesionClass).toBe('C');
  });

  it('delete removes the last drawn vertex first, then the selected vertex, then the polygon; undo restores it', () => {
    const square: EditorPolygon = { ...tri('a'), points: [[0, 0], [10, 0], [10, 10], [0, 10]] };
    let s = editorReducer(start(doc(square)), { type: 'drawing', points: [[1, 1], [2, 2]] });
    s = editorReducer(s, { type: 'deleteSelection' });
    expect(s.drawing).toEqual([[1, 1]]);
    s = editorReducer(editorReducer(s, { type: 'cancel' }), { type: 'select', key: 'a', vertex: { ring: -1, index: 2 } });
    s = editorReducer(s, { type: 'deleteSelection' });
    expect(s.history.present.polygons[0].points).toEqual([[0, 0], [10, 0], [0, 10]]);
    expect(s.selectedVertex).toBeNull();
    s = editorReducer(s, { type: 'deleteSelection' });
    expect(s.history.present.polygons).toEqual([]);
    expect(s.selectedKey).toBeNull();
    s = editorReducer(s, { type: 'undo' });
    expect(s.history.present.polygons).toHaveLength(1);
  });

  it('a tool step records its edits, sets the outline and the selection', () => {
    let s = start(doc(tri('a')));
    s = editorReducer(s, { type: 'toolStep', step: { gesture: null, drawing: [], ops: [{ type: 'add', polygon: tri('b', 'C') }], select: 'b' } });
    expect(s.history.present.polygons.map((p) => p.key)).toEqual(['a', 'b']);
    expect(s.selectedKey).toBe('b');
    expect(s.activeClass).toBe('C');
    // A selection whose polygon an edit removes is dropped.
    s = editorReducer(s, { type: 'edit', op: { type: 'replace', remove: ['b'], add: [tri('c')] } });
    expect(s.selectedKey).toBeNull();
  });

  it('cancel drops the outline first, then the selection; opacity stays within 0..1; switching tool drops the outline', () => {
    let s = editorReducer(editorReducer(start(doc(tri('a'))), { type: 'select', key: 'a' }), { type: 'drawing', points: [[1, 1]] });
    s = editorReducer(s, { type: 'cancel' });
    expect([s.drawing, s.selectedKey]).toEqual([[], 'a']);
    s = editorReducer(s, { type: 'cancel' });
    expect(s.selectedKey).toBeNull();
    expect(editorReducer(s, { type: 'opacity', opacity: 1.26 }).opacity).toBe(1);
    expect(editorReducer(s, { type: 'opacity', opacity: 0.2 - 0.1 }).opacity).toBe(0.1);
    s = editorReducer(editorReducer(s, { type: 'drawing', points: [[1, 1]] }), { type: 'tool', tool: 'freehand' });
    expect(s.drawing).toEqual([]);
  });

  it('hides and locks polygons one by one; hiding the selected one clears the selection', () => {
    let s = editorReducer(start(doc(tri('a'), tri('b'))), { type: 'select', key: 'a' });
    s = editorReducer(s, { type: 'toggleHidden', key: 'a' });
    expect([s.hidden, s.selectedKey]).toEqual([['a'], null]);
    s = editorReducer(editorReducer(s, { type: 'toggleLocked', key: 'b' }), { type: 'toggleHidden', key: 'a' });
    expect([s.hidden, s.locked]).toEqual([[], ['b']]);
    expect(editorReducer(s, { type: 'toggleLocked', key: 'b' }).locked).toEqual([]);
  });
});
