import { describe, expect, it } from 'vitest';
import { kCenterGreedy } from './kCenter';

describe('kCenterGreedy', () => {
  it('picks the point farthest from the labelled centres, then the farthest from those and the picks', () => {
    const points = [[0], [1], [2], [10], [11]];
    // from centre 0: 11 is farthest; then distances to {0, 11}: 1→1, 2→2, 10→1 → 2
    expect(kCenterGreedy(points, [[0]], 2)).toEqual([4, 2]);
  });
  it('without labelled points starts farthest from the mean, and covers two clusters before refining one', () => {
    const points = [[0, 0], [0, 1], [1, 0], [20, 20], [20, 21]];
    const picks = kCenterGreedy(points, [], 2);
    // mean (8.2, 8.4): (20, 21) is farthest; then (0, 0) is farthest from it
    expect(picks).toEqual([4, 0]);
  });
  it('returns every point at most once and refuses mixed dimensions', () => {
    expect(kCenterGreedy([[0], [1]], [], 5).sort()).toEqual([0, 1]);
    expect(kCenterGreedy([], [[0]], 3)).toEqual([]);
    expect(() => kCenterGreedy([[0, 1], [1]], [], 1)).toThrow(/2 dimensions/);
  });
});
