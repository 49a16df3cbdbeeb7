import { describe, expect, it } from 'vitest';
import { applyEdit, type EditorDoc, type EditorPolygon } from './document';
import { openProposals } from './proposals';

const square = (key: string, x: number, lesionClass: 'GGO' | 'C' = 'GGO'): EditorPolygon => ({
  key, lesionClass, points: [[x, 0], [x + 4, 0], [x + 4, 4], [x, 4]], holes: [], source: 'MODEL',
});

describe('openProposals', () => {
  it('offers a proposal until a polygon with its class and outline exists, and again once that polygon is gone', () => {
    const proposals = [square('p1', 0), square('p2', 10)];
    const empty: EditorDoc = { polygons: [], sliceClass: null, unsure: false };
    expect(openProposals(proposals, empty.polygons).map((p) => p.key)).toEqual(['p1', 'p2']);
    const taken = applyEdit(empty, { type: 'acceptProposals', proposals: [proposals[1]], newKey: () => 'h1' });
    expect(taken.polygons).toMatchObject([{ key: 'h1', source: 'HUMAN', lesionClass: 'GGO' }]);
    expect(openProposals(proposals, taken.polygons).map((p) => p.key)).toEqual(['p1']);
    // the same outline in another class is another lesion: still offered
    expect(openProposals([square('p3', 10, 'C')], taken.polygons)).toHaveLength(1);
    // a moved polygon no longer matches: the proposal is offered again
    const moved = applyEdit(taken, { type: 'move', key: 'h1', dx: 1, dy: 0 });
    expect(openProposals(proposals, moved.polygons).map((p) => p.key)).toEqual(['p1', 'p2']);
  });
});
