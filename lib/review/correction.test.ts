import { describe, expect, it } from 'vitest';
import { labelOverlap, type LesionPolygon } from '@/lib/imaging/contours';
import { polygonOverlap } from './correction';

const rect = (lesionClass: 'GGO' | 'C', x0: number, y0: number, x1: number, y1: number): LesionPolygon => ({ lesionClass, points: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]], holes: [] });

describe('correction effort overlap', () => {
  it('measures per-class IoU and Dice between proposal and final polygons', () => {
    // Proposal GGO 10×10 at (0,0); final GGO moved 5 px right: overlap 50 px², union 150 px².
    const result = polygonOverlap([rect('GGO', 0, 0, 10, 10)], [rect('GGO', 5, 0, 15, 10), rect('C', 20, 20, 24, 24)], 32, 32);
    expect(result.GGO!.iou).toBeCloseTo(50 / 150, 6);
    expect(result.GGO!.dice).toBeCloseTo(100 / 200, 6);
    // C only in the final annotation: the proposal missed it entirely.
    expect(result.C).toEqual({ iou: 0, dice: 0 });
  });

  it('reports null for a class neither has, and 1 for identical masks', () => {
    expect(labelOverlap(new Uint8Array(4), new Uint8Array(4), 2)).toBeNull();
    expect(labelOverlap(Uint8Array.of(1, 0, 1, 1), Uint8Array.of(1, 0, 1, 1), 1)).toEqual({ iou: 1, dice: 1 });
  });
});
