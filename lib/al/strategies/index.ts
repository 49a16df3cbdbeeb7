/** The strategies an admin can choose, by the name stored in settings and used on the command line. */
import { leastConfidence, margin, entropy } from './classifier';
import { combined } from './combined';
import { coreset } from './coreset';
import { classBalanced, epistemic } from './epistemic';
import { random } from './random';
import { segmentation } from './segmentation';
import type { AcquisitionStrategy } from './strategy';

export type { AcquisitionStrategy, SignalSource } from './strategy';

const ENTRIES = [random, leastConfidence, margin, entropy, segmentation, epistemic, classBalanced, coreset, combined] as const;

export type StrategyName = (typeof ENTRIES)[number]['name'];
export const STRATEGIES: Readonly<Record<StrategyName, AcquisitionStrategy>> = Object.fromEntries(ENTRIES.map((s) => [s.name, s])) as Record<StrategyName, AcquisitionStrategy>;
export const STRATEGY_NAMES = ENTRIES.map((s) => s.name) as StrategyName[];

/** name → description, for forms and --help. */
export const STRATEGY_DESCRIPTIONS: Readonly<Record<string, string>> = Object.fromEntries(ENTRIES.map((s) => [s.name, s.description]));

export function strategyNamed(name: string): AcquisitionStrategy {
  const s = (STRATEGIES as Record<string, AcquisitionStrategy | undefined>)[name];
  if (!s) throw new Error(`Unknown strategy "${name}": choose from ${STRATEGY_NAMES.join(', ')}`);
  return s;
}

/** Whether switching strategies needs signals the last score run did not compute (then the pool is scored again). */
export function needsRescore(from: string, to: string): boolean {
  const had = new Set(strategyNamed(from).needs);
  return strategyNamed(to).needs.some((n) => !had.has(n));
}
