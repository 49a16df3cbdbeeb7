/**
 * The product's segmenter retrain, as one function: the worker's train-segmenter job and the active-learning
 * simulation both call it, so a simulated round is exactly what an admin's retrain does (lib/al/simulate.ts).
 *   - fine-tunes from a starting model's weights (the active version, the base model, or the previous
 *     simulation round) with the fine-tuning recipe, or trains from scratch with its own recipe;
 *   - stops at the CPU-time budget (or a step count, for deterministic runs), validating every third epoch
 *     and at the end, and keeps the weights that validated best;
 *   - returns the calibrated proposal thresholds of the kept weights (their validation's best thresholds).
 */
import { parseSegmenterConfig, type SegmenterConfig } from '../config';
import type { LabelledSlice } from '../data/datasets';
import { assignWeights, type ModelDir, type TrainingSummary } from '../io';
import type { MaskRcnn } from '../maskRcnn';
import type { ClassThreshold } from '../calibrate';
import type { ProgressEvent } from './loop';
import { SEGMENTER_RECIPES, type Recipe } from './recipes';
import { trainSegmenter, type TrainResult } from './trainSegmenter';

export interface RetrainRequest {
  /** The weights to fine-tune (their config is the model's); null: from scratch with `config`. */
  start: ModelDir | null;
  /** The architecture when training from scratch (ignored when `start` is given). */
  config: SegmenterConfig;
  train: LabelledSlice[];
  val: LabelledSlice[];
  seed: number;
  /** Peak learning rate; default the recipe's. */
  lr?: number;
  epochs?: number;
  /** CPU seconds (the product's budget); `maxSteps` instead for runs that must repeat exactly. */
  timeBudgetS?: number;
  maxSteps?: number;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  checkpointDir?: string;
  resume?: boolean;
  summary?: TrainingSummary;
}

export interface RetrainResult extends TrainResult<MaskRcnn> {
  recipe: Recipe & { name: 'fineTune' | 'fromScratch' };
  /** Calibrated on the validation slices; absent without validation slices. */
  thresholds?: Record<string, ClassThreshold>;
}

/** Validation every third epoch (and at the end) keeps it a small share of a few-minute budget. */
export const RETRAIN_VALIDATE_EVERY = 3;

export async function retrainSegmenter(r: RetrainRequest): Promise<RetrainResult> {
  if (!r.timeBudgetS && !r.maxSteps && !r.epochs) throw new Error('A retrain needs a budget: CPU seconds, a step count or epochs');
  const name = r.start ? 'fineTune' : 'fromScratch';
  const base = SEGMENTER_RECIPES[name];
  const recipe = { ...base, lr: r.lr ?? base.lr, name } as RetrainResult['recipe'];
  const config = r.start ? parseSegmenterConfig(r.start.config) : r.config;
  const result = await trainSegmenter({
    config,
    train: r.train,
    val: r.val,
    options: { lr: recipe.lr, schedule: recipe.schedule, weightDecay: recipe.weightDecay, augment: recipe.augment, seed: r.seed, epochs: r.epochs, maxSteps: r.maxSteps, timeBudgetS: r.timeBudgetS },
    initialise: r.start ? (model) => assignWeights(r.start!, model.ps) : undefined,
    validateEvery: RETRAIN_VALIDATE_EVERY,
    keepBest: true,
    onProgress: r.onProgress,
    signal: r.signal,
    checkpointDir: r.checkpointDir,
    resume: r.resume,
    summary: r.summary,
  });
  return { ...result, recipe, thresholds: result.lastVal?.bestThresholds };
}
