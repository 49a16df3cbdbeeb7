/**
 * Training recipes: the one place where the learning rate, schedule, weight decay and augmentation of each
 * kind of run are set. Chosen by measurement on development splits that no reported figure is taken from
 * (models/base/README.md lists the runs); the CLIs, the worker's jobs and the active-learning simulation
 * all start from these.
 *   - pretrain: the base model, from random weights, on the public data (scripts/pretrain.ts);
 *   - fineTune: a retrain from the active (or base) model on tens of reviewed slices, within minutes;
 *   - fromScratch: the same budget without a starting model (an admin's explicit choice);
 *   - classifier: module S on the frozen trunk (`heads`) or end to end (`full`, the trunk at a lower rate).
 * Every learning-rate default of the project is one of these (the jobs' and CLIs' `lr` options, the
 * active-learning simulation's rounds); the trainers themselves take the rate from their caller.
 */
import type { TrainOptions } from '../config';
import { DEFAULT_AUGMENT, type AugmentSpec } from '../data/augment';
import { CONSTANT_LR, type LrSchedule } from './schedule';

export interface Recipe {
  lr: number;
  schedule: LrSchedule;
  weightDecay: number;
  augment: AugmentSpec | false;
}

export const SEGMENTER_RECIPES = {
  pretrain: { lr: 1e-3, schedule: { kind: 'cosine', warmupSteps: 200, finalFactor: 0.02 }, weightDecay: 1e-4, augment: DEFAULT_AUGMENT },
  fineTune: { lr: 3e-4, schedule: { kind: 'cosine', warmupSteps: 30, finalFactor: 0.05 }, weightDecay: 1e-4, augment: DEFAULT_AUGMENT },
  fromScratch: { lr: 1e-3, schedule: { kind: 'cosine', warmupSteps: 100, finalFactor: 0.05 }, weightDecay: 1e-4, augment: DEFAULT_AUGMENT },
} satisfies Record<string, Recipe>;
export type SegmenterRecipeName = keyof typeof SEGMENTER_RECIPES;

export const CLASSIFIER_RECIPES = {
  heads: { lr: 1e-3, schedule: { kind: 'cosine', warmupSteps: 0, finalFactor: 0.05 }, weightDecay: 1e-3, augment: false },
  full: { lr: 1e-4, schedule: { kind: 'cosine', warmupSteps: 20, finalFactor: 0.05 }, weightDecay: 1e-4, augment: false },
} satisfies Record<string, Recipe>;

/**
 * What the trainers fill in for the fields a caller leaves out (tests, benchmarks): a constant rate, AdamW. The
 * rate itself has no fallback: a caller names it (a recipe's, or its own).
 */
export const TRAINER_FALLBACKS: Omit<TrainOptions, 'lr'> = {
  seed: 1, schedule: CONSTANT_LR, weightDecay: 1e-3, weightDecayMode: 'decoupled', augment: true,
};

/** Options for a trainer: its learning rate always, the rest when it differs from TRAINER_FALLBACKS. */
export type TrainerOptions = Partial<TrainOptions> & Pick<TrainOptions, 'lr'>;

/** The product's default training budget, in CPU minutes (train/loop.ts). */
export const DEFAULT_BUDGET_MIN = { segmenter: 5, classifier: 3 } as const;
