/**
 * k-center greedy (Sener & Savarese, "Active learning for convolutional neural networks: a core-set approach",
 * 2018): each pick is the point farthest from every centre so far, so k picks cover the pool as well as any k
 * points can to within a factor of 2. The labelled points are the first centres; without any, the first pick is
 * the point farthest from the pool's mean.
 */

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i] - b[i]) ** 2;
  return d;
}

/** Indices of `points` in pick order (k of them, or all when k is larger). */
export function kCenterGreedy(points: readonly (readonly number[])[], centres: readonly (readonly number[])[], k: number): number[] {
  const n = points.length;
  if (n === 0 || k <= 0) return [];
  const dims = points[0].length;
  for (const p of [...points, ...centres]) if (p.length !== dims) throw new Error(`k-center: every point needs ${dims} dimensions, got ${p.length}`);
  const nearest = new Float64Array(n).fill(Infinity);
  const seedCentres = centres.length ? centres : [points[0].map((_, j) => points.reduce((a, p) => a + p[j], 0) / n)];
  for (const c of seedCentres) for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i], squaredDistance(points[i], c));
  const picked: number[] = [];
  const taken = new Uint8Array(n);
  while (picked.length < Math.min(k, n)) {
    let best = -1;
    for (let i = 0; i < n; i++) if (!taken[i] && (best < 0 || nearest[i] > nearest[best])) best = i;
    picked.push(best);
    taken[best] = 1;
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i], squaredDistance(points[i], points[best]));
  }
  return picked;
}
