import { describe, expect, it } from 'vitest';
import { regionProposals } from './proposals';

const W = 40, H = 30;
function maps(rects: { x0: number; y0: number; x1: number; y1: number; label: number; score: number }[]) {
  const labelMap = new Uint8Array(W * H), scoreMap = new Float32Array(W * H);
  // as predict paints them: the higher-scoring detection first claims its pixels
  for (const r of [...rects].sort((a, b) => b.score - a.score)) {
    for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) {
      if (labelMap[y * W + x]) continue;
      labelMap[y * W + x] = r.label;
      scoreMap[y * W + x] = r.score;
    }
  }
  return { labelMap, scoreMap, width: W, height: H };
}

describe('regionProposals', () => {
  it('proposes one outline per connected region of a class, scored by its best detection, best first', () => {
    const p = maps([
      { x0: 2, y0: 2, x1: 12, y1: 12, label: 1, score: 0.3 }, // two overlapping GGO detections: one lesion
      { x0: 8, y0: 6, x1: 18, y1: 16, label: 1, score: 0.8 },
      { x0: 25, y0: 5, x1: 35, y1: 20, label: 2, score: 0.6 }, // a consolidation apart
    ]);
    const proposals = regionProposals(p, ['GGO', 'C']);
    expect(proposals.map((q) => [q.lesionClass, q.score])).toEqual([['GGO', expect.closeTo(0.8, 5)], ['C', expect.closeTo(0.6, 5)]]);
    const xs = proposals[0].points.map(([x]) => x);
    expect([Math.min(...xs), Math.max(...xs)]).toEqual([2, 18]); // the union's extent, not one detection's
    expect(regionProposals(maps([]), ['GGO', 'C'])).toEqual([]);
  });

  it('proposes the lesions of a merged-lesion model as GGO', () => {
    const proposals = regionProposals(maps([{ x0: 5, y0: 5, x1: 15, y1: 15, label: 1, score: 0.9 }]), ['lesion']);
    expect(proposals).toMatchObject([{ lesionClass: 'GGO', holes: [] }]);
  });
});
