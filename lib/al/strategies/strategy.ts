import type { AcquisitionContext, SliceCandidate } from '../types';

/** What a strategy reads, so the score job computes the costly signals only for a strategy that needs them. */
export type SignalSource = 'classifier' | 'segmentation' | 'epistemic' | 'embedding';

/**
 * An acquisition strategy (MONAI Label's Strategy with its info()): a name stored in the settings, a description
 * the admin form shows, the signals it needs, and either a per-slice score (higher = ask sooner; the queue then
 * applies the study diversity rule) or a whole order (batch-aware strategies that are their own diversity rule).
 */
export interface AcquisitionStrategy {
  name: string;
  description: string;
  needs: readonly SignalSource[];
  score?: (candidate: SliceCandidate, ctx: AcquisitionContext) => number | undefined;
  order?: (candidates: readonly SliceCandidate[], ctx: AcquisitionContext) => SliceCandidate[];
}

/** Keeps the strategy's name as a literal type (the settings' enum is built from the names). */
export function defineStrategy<N extends string>(s: AcquisitionStrategy & { name: N }): AcquisitionStrategy & { name: N } {
  return s;
}

/** The mean of the finite values given (undefined when there is none). */
export function meanOf(values: readonly (number | undefined)[]): number | undefined {
  const ok = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : undefined;
}
