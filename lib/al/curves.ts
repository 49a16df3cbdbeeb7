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
  /** The same per class (GGO, C; "lesion" on merged-lesion data). */
  perClass?: Record<string, { maskAP50: number | null; dice: number | null }>;
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

/** strategy → metric → points sorted by labelled count (`byClass`: the same per class, when rounds report it). */
export type Curves = Record<string, Record<CurveMetric, CurvePoint[]> & { byClass?: Record<string, Record<CurveMetric, CurvePoint[]>> }>;

export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

/** Mean and spread over seeds at each labelled count; null values are left out of a point (a point with none is dropped). */
function curveOf(rows: readonly RoundResult[], value: (r: RoundResult) => number | null | undefined): CurvePoint[] {
  const counts = [...new Set(rows.map((r) => r.labelled))].sort((a, b) => a - b);
  return counts.flatMap((labelled) => {
    const values = rows.filter((r) => r.labelled === labelled).map(value).filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
    return values.length ? [{ labelled, ...meanStd(values), n: values.length }] : [];
  });
}

/** Groups rounds by strategy and labelled count, overall and per class. */
export function aggregateCurves(rows: readonly RoundResult[]): Curves {
  const out: Curves = {};
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  for (const s of strategies) {
    const mine = rows.filter((r) => r.strategy === s);
    out[s] = { maskAP50: curveOf(mine, (r) => r.maskAP50), dice: curveOf(mine, (r) => r.dice) };
    const classes = [...new Set(mine.flatMap((r) => Object.keys(r.perClass ?? {})))];
    if (classes.length) {
      out[s].byClass = Object.fromEntries(classes.map((c) => [c, { maskAP50: curveOf(mine, (r) => r.perClass?.[c]?.maskAP50), dice: curveOf(mine, (r) => r.perClass?.[c]?.dice) }]));
    }
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
