/**
 * Learning-rate schedules: linear warm-up over the first steps (Goyal et al. 2017: Adam on a freshly
 * initialised or freshly loaded model takes large, noisy first steps), then either constant or a cosine
 * decay (Loshchilov & Hutter 2017) to `finalFactor`·lr at the end of the budget. The decay follows the
 * fraction of the budget used (steps, epochs or time, whichever is furthest along), so a run stopped by a
 * CPU-time budget still ends its schedule at the low rate that fine-tuning wants for its last steps.
 */
import { z } from 'zod';

export const lrScheduleSchema = z.object({
  kind: z.enum(['constant', 'cosine']),
  /** Steps of linear warm-up from lr/warmupSteps to lr (0 = none). */
  warmupSteps: z.number().int().nonnegative(),
  /** lr at the end of a cosine schedule, as a fraction of the peak lr. */
  finalFactor: z.number().min(0).max(1),
});
export type LrSchedule = z.infer<typeof lrScheduleSchema>;

export const CONSTANT_LR: LrSchedule = { kind: 'constant', warmupSteps: 0, finalFactor: 1 };

/**
 * The learning rate for step `step` (0-based) when `progress` ∈ [0, 1] of the budget is used. Warm-up is
 * counted in steps (it is about the first updates, whatever the budget); the decay in budget fraction.
 */
export function learningRateAt(lr: number, schedule: LrSchedule, step: number, progress: number): number {
  const warm = schedule.warmupSteps > 0 && step < schedule.warmupSteps ? (step + 1) / schedule.warmupSteps : 1;
  if (schedule.kind === 'constant') return lr * warm;
  const p = Math.min(1, Math.max(0, progress));
  const cosine = schedule.finalFactor + (1 - schedule.finalFactor) * 0.5 * (1 + Math.cos(Math.PI * p));
  return lr * warm * cosine;
}
