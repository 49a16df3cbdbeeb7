/** What an admin may ask the worker to do, as validated job configs (the API and CLIs parse with these). */
import { z } from 'zod';
import { MASK_TYPES, PRESETS } from '@/lib/model/config';
import { DEFAULT_BUDGET_MIN } from '@/lib/model/train/recipes';

export const trainSegmenterConfigSchema = z.object({
  preset: z.enum(PRESETS).default('tiny'),
  maskType: z.enum(MASK_TYPES).default('both'),
  /** Epochs over the training split; the time budget (CPU minutes) usually stops earlier. */
  epochs: z.number().int().min(1).max(1000).default(200),
  timeBudgetMin: z.number().positive().max(24 * 60).default(DEFAULT_BUDGET_MIN.segmenter),
  /** Peak learning rate; default: the recipe's (fine-tuning or from scratch, lib/model/train/recipes.ts). */
  lr: z.number().positive().max(1).optional(),
  /** Start from the active segmenter's weights when its architecture matches (fine-tuning). */
  fineTune: z.boolean().default(true),
  includeSubmitted: z.boolean().default(false),
  seed: z.number().int().default(1),
  /** Promote even when validation is worse than the active version's (admin decision). */
  forcePromote: z.boolean().default(false),
});

export type TrainSegmenterConfig = z.output<typeof trainSegmenterConfigSchema>;

export const trainClassifierConfigSchema = z.object({
  mode: z.enum(['heads', 'heads+bn', 'full']).default('heads'),
  classNames: z.array(z.string().min(1)).min(2).optional(),
  epochs: z.number().int().min(1).max(1000).default(30),
  timeBudgetMin: z.number().positive().max(24 * 60).default(DEFAULT_BUDGET_MIN.classifier),
  /** Peak learning rate; default: the recipe's for the mode (lib/model/train/recipes.ts). */
  lr: z.number().positive().max(1).optional(),
  includeSubmitted: z.boolean().default(false),
  seed: z.number().int().default(1),
  forcePromote: z.boolean().default(false),
});

export type TrainClassifierConfig = z.output<typeof trainClassifierConfigSchema>;

export const scoreConfigSchema = z.object({
  /** Score with these versions instead of the active ones. */
  segmenterVersionId: z.string().optional(),
  classifierVersionId: z.string().optional(),
  /** Inference backend of the segmenter (default onnxruntime, falling back to wasm when it cannot load). */
  backend: z.enum(['onnxruntime', 'wasm']).optional(),
  /** Cores the job may use: onnxruntime's intraOpNumThreads (default CTMS_JOB_CORES, else every core). */
  cores: z.number().int().min(1).max(256).optional(),
});

export type ScoreConfig = z.output<typeof scoreConfigSchema>;

export const evaluateConfigSchema = z.object({ versionId: z.string().min(1) });

export const jobRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('train-segmenter'), config: trainSegmenterConfigSchema.default(trainSegmenterConfigSchema.parse({})) }),
  z.object({ type: z.literal('train-classifier'), config: trainClassifierConfigSchema.default(trainClassifierConfigSchema.parse({})) }),
  z.object({ type: z.literal('score'), config: scoreConfigSchema.default({}) }),
  z.object({ type: z.literal('evaluate'), config: evaluateConfigSchema }),
]);
export type JobRequest = z.infer<typeof jobRequestSchema>;

/** The model a job trains, for the one-training-job-per-model rule. */
export function modelKindOf(type: string): 'segmenter' | 'classifier' | undefined {
  return type === 'train-segmenter' ? 'segmenter' : type === 'train-classifier' ? 'classifier' : undefined;
}
