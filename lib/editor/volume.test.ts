import { describe, expect, it } from 'vitest';
import { applyEdit, type EditorDoc } from './document';
import { copyFromNeighbour, wheelSliceStep } from './volume';

const empty: EditorDoc = { polygons: [], sliceClass: null, unsure: false };

describe('volume navigation', () => {
  it('copies a neighbour’s outlines as new human polygons with holes, in one edit, leaving out those that do not fit', () => {
    let n = 0;
    const source = [
      { lesionClass: 'GGO' as const, points: [[10, 10], [50, 10], [50, 50], [10, 50]] as [number, number][], holes: [[[20, 20], [30, 20], [30, 30]]] as [number, number][][] },
      { lesionClass: 'C' as const, points: [[60, 60], [90, 60], [90, 90]] as [number, number][], holes: [] },
    ];
    const op = copyFromNeighbour(source, { width: 64, height: 64 }, () => `copy-${n++}`)!;
    const doc = applyEdit(empty, op);
    expect(doc.polygons).toEqual([{ key: 'copy-0', lesionClass: 'GGO', points: source[0].points, holes: source[0].holes, source: 'HUMAN' }]);
    expect(doc.polygons[0].points).not.toBe(source[0].points);
    expect(copyFromNeighbour([], { width: 64, height: 64 }, () => 'x')).toBeNull();
  });

  it('a wheel turn down is the next slice, up the previous one, drift nothing', () => {
    expect([wheelSliceStep(120), wheelSliceStep(-3), wheelSliceStep(0.2)]).toEqual([1, -1, 0]);
  });
});
