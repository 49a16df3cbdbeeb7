import { describe, expect, it } from 'vitest';
import { proposalQuality } from './proposalQuality';
import type { Proposal } from './proposals';

const W = 20, H = 20;
const square = (x0: number, y0: number, x1: number, y1: number, lesionClass: 'GGO' | 'C' = 'GGO'): Proposal => ({ lesionClass, points: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]], holes: [], score: 0.9 });
function truth(x0: number, y0: number, x1: number, y1: number, label = 1) {
  const t = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) t[y * W + x] = label;
  return t;
}

describe('proposalQuality', () => {
  it('scores proposals against the true lesion pixels, any class, per lesion slice', () => {
    const q = proposalQuality([
      { proposals: [square(0, 0, 10, 10)], truth: truth(0, 0, 10, 10, 2), width: W, height: H }, // exact outline, other class: Dice 1
      { proposals: [square(0, 0, 10, 10, 'C')], truth: truth(0, 0, 10, 5), width: W, height: H }, // 50 of 100 painted are lesion: 2·50/150
      { proposals: [], truth: truth(5, 5, 8, 8), width: W, height: H }, // missed
      { proposals: [square(2, 2, 4, 4)], truth: new Uint8Array(W * H), width: W, height: H }, // a lesion-free slice
    ]);
    expect(q.lesionSlices).toBe(3);
    expect(q.lesionSlicesWithProposal).toBeCloseTo(2 / 3, 4);
    expect(q.meanLesionDiceWhereProposed).toBeCloseTo((1 + 100 / 150) / 2, 4);
    expect(q.meanLesionDice).toBeCloseTo((1 + 100 / 150 + 0) / 3, 4);
    expect(q.proposalsPerSlice).toBe(0.75);
    expect(q.emptySlicesWithProposal).toBe(1);
  });
});
