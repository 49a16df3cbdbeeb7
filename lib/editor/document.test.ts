import { describe, expect, it } from 'vitest';
import { applyEdit, record, redo, sameWorkAsServer, startHistory, undo, type EditorDoc, type EditorPolygon } from './document';

const tri = (key: string): EditorPolygon => ({ key, lesionClass: 'GGO', points: [[0, 0], [10, 0], [0, 10]], holes: [], source: 'HUMAN' });
const empty: EditorDoc = { polygons: [], sliceClass: null, unsure: false };

describe('editor document edits', () => {
  it('moves, inserts and deletes vertices of the named ring only', () => {
    let doc = applyEdit(empty, { type: 'add', polygon: tri('a') });
    doc = applyEdit(doc, { type: 'insertVertex', key: 'a', ring: -1, after: 0, at: [5, -1] });
    expect(doc.polygons[0].points).toEqual([[0, 0], [5, -1], [10, 0], [0, 10]]);
    doc = applyEdit(doc, { type: 'moveVertex', key: 'a', ring: -1, index: 1, to: [5, -3] });
    expect(doc.polygons[0].points[1]).toEqual([5, -3]);
    doc = applyEdit(doc, { type: 'deleteVertex', key: 'a', ring: -1, index: 1 });
    expect(doc.polygons[0].points).toEqual(tri('a').points);
    // A triangle keeps its three vertices: the edit is refused, not applied.
    expect(applyEdit(doc, { type: 'deleteVertex', key: 'a', ring: -1, index: 0 })).toBe(doc);
  });

  it('moves a whole polygon with its holes and changes its class', () => {
    const withHole: EditorPolygon = { ...tri('h'), points: [[0, 0], [10, 0], [10, 10], [0, 10]], holes: [[[2, 2], [4, 2], [2, 4]]] };
    let doc = applyEdit(empty, { type: 'add', polygon: withHole });
    doc = applyEdit(doc, { type: 'move', key: 'h', dx: 1, dy: 2 });
    expect(doc.polygons[0].points[0]).toEqual([1, 2]);
    expect(doc.polygons[0].holes[0][0]).toEqual([3, 4]);
    doc = applyEdit(doc, { type: 'setClass', key: 'h', lesionClass: 'C' });
    expect(doc.polygons[0].lesionClass).toBe('C');
  });

  it('accepts model proposals as the annotator’s own polygons', () => {
    const proposal: EditorPolygon = { ...tri('m1'), source: 'MODEL' };
    let n = 0;
    const doc = applyEdit(empty, { type: 'acceptProposals', proposals: [proposal], newKey: () => `new-${++n}` });
    expect(doc.polygons).toEqual([{ key: 'new-1', lesionClass: 'GGO', points: proposal.points, holes: [], source: 'HUMAN' }]);
  });
});

describe('undo/redo history', () => {
  it('undoes and redoes every edit back to a known state, and a new edit clears redo', () => {
    let h = startHistory(empty);
    h = record(h, { type: 'add', polygon: tri('a') });
    h = record(h, { type: 'moveVertex', key: 'a', ring: -1, index: 2, to: [0, 20] });
    h = record(h, { type: 'setSliceClass', sliceClass: 'COVID-19' });
    const final = h.present;
    h = undo(undo(undo(h)));
    expect(h.present).toEqual(empty);
    expect(undo(h)).toBe(h);
    h = redo(redo(h));
    expect(h.present.polygons[0].points[2]).toEqual([0, 20]);
    expect(h.present.sliceClass).toBeNull();
    h = redo(h);
    expect(h.present).toEqual(final);
    h = record(undo(h), { type: 'setUnsure', unsure: true });
    expect(h.future).toEqual([]);
  });

  it('records no step for an edit that changes nothing', () => {
    const h = record(startHistory(empty), { type: 'setSliceClass', sliceClass: null });
    expect(h.past).toHaveLength(0);
  });
});

describe('sameWorkAsServer', () => {
  const doc: EditorDoc = { polygons: [tri('k1'), { ...tri('k2'), lesionClass: 'C' }], sliceClass: 'CP', unsure: false };
  const server = { polygons: [{ id: 'db2', lesionClass: 'C', points: tri('x').points, holes: [] }, { id: 'db1', lesionClass: 'GGO', points: tri('x').points, holes: [] }], sliceClass: 'CP', unsure: false };

  it('recognises the same work delivered twice and maps the keys to the stored ids', () => {
    expect(sameWorkAsServer(doc, server)).toEqual({ k1: 'db1', k2: 'db2' });
  });

  it('sees a real conflict when anything differs', () => {
    expect(sameWorkAsServer(doc, { ...server, sliceClass: 'Normal' })).toBeNull();
    expect(sameWorkAsServer(doc, { ...server, polygons: server.polygons.slice(1) })).toBeNull();
    expect(sameWorkAsServer({ ...doc, polygons: [tri('k1'), { ...tri('k2'), points: [[0, 0], [9, 0], [0, 9]] }] }, server)).toBeNull();
  });
});
