import type { AcquisitionStrategy } from '../types';
import { combined } from './combined';
import { entropy } from './entropy';
import { leastConfidence } from './leastConfidence';
import { margin } from './margin';
import { random } from './random';
import { segmentation } from './segmentation';

/** The strategies an admin can choose, by the name stored in settings and used on the command line. */
export const STRATEGIES = {
  random,
  'least-confidence': leastConfidence,
  margin,
  entropy,
  segmentation,
  combined,
} as const satisfies Record<string, AcquisitionStrategy>;

export type StrategyName = keyof typeof STRATEGIES;
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];
