/**
 * Learning curves of the active-learning simulation: one result per (strategy, seed, round), aggregated into a
 * mean curve with its spread over seeds, and "how many labels does a strategy need to reach a score".
 */

/** Metrics of one simulation round; null where the validation set has no ground truth for the metric. */
export interface RoundResult {
  strategy: string;
  seed: number;
  /** Labelled slices the round's model was trained on. */
  labelled: number;
  maskAP50: number | null;
  dice: number | null;
}

export type CurveMetric = 'maskAP50' | 'dice';
export const CURVE_METRICS: readonly CurveMetric[] = ['maskAP50', 'dice'];

export interface CurvePoint {
  labelled: number;
  /** Mean over the seeds that have a value at this point. */
  mean: number;
  /** Sample standard deviation over seeds (n − 1 in the denominator); 0 with a single seed. */
  std: number;
  /** Seeds that contributed. */
  n: number;
}

/** strategy → metric → points sorted by labelled count. */
export type Curves = Record<string, Record<CurveMetric, CurvePoint[]>>;

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

/** Groups rounds by strategy and labelled count; null metrics are left out of that point (a point with none is dropped). */
export function aggregateCurves(rows: readonly RoundResult[]): Curves {
  const out: Curves = {};
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  for (const s of strategies) {
    const mine = rows.filter((r) => r.strategy === s);
    const counts = [...new Set(mine.map((r) => r.labelled))].sort((a, b) => a - b);
    const curve = (metric: CurveMetric): CurvePoint[] =>
      counts.flatMap((labelled) => {
        const values = mine.filter((r) => r.labelled === labelled).map((r) => r[metric]).filter((v): v is number => v !== null && Number.isFinite(v));
        return values.length ? [{ labelled, ...meanStd(values), n: values.length }] : [];
      });
    out[s] = { maskAP50: curve('maskAP50'), dice: curve('dice') };
  }
  return out;
}

/**
 * Labels a curve needs to reach `target`: the first point at or above it, linearly interpolated from the point
 * before (between two measured rounds the score is assumed to grow linearly). A curve that starts at or above the
 * target returns its first count (no extrapolation below the smallest labelled set); one that never reaches it,
 * null. Points must be sorted by labelled count.
 */
export function labelsToReach(curve: readonly Pick<CurvePoint, 'labelled' | 'mean'>[], target: number): number | null {
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i];
    if (p.mean < target) continue;
    if (i === 0) return p.labelled;
    const q = curve[i - 1];
    const t = (target - q.mean) / (p.mean - q.mean);
    return q.labelled + t * (p.labelled - q.labelled);
  }
  return null;
}

/**
 * For each strategy, the labels it needs to reach the baseline's final mean score, as a fraction of the labels
 * the baseline used for that score (< 1 = fewer labels than the baseline; null = never reached).
 */
export function labelsToReachBaselineFinal(curves: Curves, metric: CurveMetric, baseline = 'random'): Record<string, number | null> {
  const base = curves[baseline]?.[metric];
  if (!base?.length) throw new Error(`No "${baseline}" curve for ${metric}: include ${baseline} in --strategies to compare against it`);
  const final = base[base.length - 1];
  return Object.fromEntries(
    Object.entries(curves).map(([s, c]) => {
      const need = labelsToReach(c[metric], final.mean);
      return [s, need === null ? null : Math.round((need / final.labelled) * 1000) / 1000];
    }),
  );
}
