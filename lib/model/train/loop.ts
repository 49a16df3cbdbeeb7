/**
 * The training loop shared by the segmenter and classifier S: epochs, step and time budgets (whichever
 * ends first), cooperative cancel (the AbortSignal is checked before every step, so training stops
 * within one step), progress events with an ETA, the fraction of the budget used (for the learning-rate
 * schedule), and an end-of-epoch hook (validation, checkpoint).
 *
 * The time budget counts the CPU time of this process, not wall time: a job given "5 CPU-minutes" does
 * the same work on an idle machine and on one where the web app or another job shares the cores, so a
 * budget gives the same model wherever it runs (it only takes longer on a busy machine).
 */
export interface ProgressEvent {
  /** Steps done so far (1-based after the first step), counted across resumes. */
  step: number;
  epoch: number;
  /** Losses of this step by name, plus `loss` (their sum); `lr` when a schedule sets it. */
  losses: Record<string, number>;
  /** Estimated seconds left under the active budget, null while unknown. */
  etaS: number | null;
  totalSteps: number | null;
}

export type StopReason = 'done' | 'maxSteps' | 'timeBudget' | 'cancelled';

export interface LoopBudget {
  epochs?: number;
  maxSteps?: number;
  /** CPU seconds of this process (see file comment). */
  timeBudgetS?: number;
}

/** CPU seconds (user + system) this process has used: the clock of the time budget. */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export interface LoopPosition {
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  /** Budget seconds already used before this run (resume). */
  usedS?: number;
}

export interface StepContext {
  epoch: number;
  stepInEpoch: number;
  /** Steps done before this one. */
  globalStep: number;
  /** Fraction of the budget used before this step, in [0, 1]. */
  progress: number;
}

export interface LoopSpec {
  stepsPerEpoch: number;
  budget: LoopBudget;
  /** Where to start (resume). */
  start: LoopPosition;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Called at the start of each epoch (e.g. to shuffle). */
  beginEpoch?: (epoch: number) => void;
  step: (ctx: StepContext) => Promise<Record<string, number>> | Record<string, number>;
  /** Called after a completed epoch. */
  endEpoch?: (epoch: number, globalStep: number, usedS: number) => Promise<void> | void;
  /** Called when stopping mid-epoch (cancel or budget), to checkpoint the position. */
  interrupted?: (position: Required<LoopPosition>) => Promise<void> | void;
  /** The budget's clock in seconds (default: this process's CPU time). */
  clock?: () => number;
}

/** Fraction of a budget used: the furthest along of steps, epochs and time. */
export function budgetProgress(budget: LoopBudget, stepsPerEpoch: number, globalStep: number, usedS: number): number {
  const fractions = [0];
  if (budget.maxSteps) fractions.push(globalStep / budget.maxSteps);
  if (budget.epochs) fractions.push(globalStep / (budget.epochs * stepsPerEpoch));
  if (budget.timeBudgetS) fractions.push(usedS / budget.timeBudgetS);
  return Math.min(1, Math.max(...fractions));
}

export async function runLoop(spec: LoopSpec): Promise<{ reason: StopReason; globalStep: number; epoch: number; usedS: number }> {
  const { budget, stepsPerEpoch } = spec;
  if (!budget.epochs && !budget.maxSteps && !budget.timeBudgetS) throw new Error('Training needs a budget: epochs, a step count or a time budget');
  if (stepsPerEpoch <= 0) throw new Error('Training set is empty');
  const clock = spec.clock ?? cpuSeconds;
  const t0 = clock() - (spec.start.usedS ?? 0);
  const used = () => clock() - t0;
  const epochs = budget.epochs ?? Number.POSITIVE_INFINITY;
  let globalStep = spec.start.globalStep;
  const firstStep = globalStep;
  let stepTime: number | null = null;
  const totalSteps = Math.min(budget.epochs ? budget.epochs * stepsPerEpoch : Infinity, budget.maxSteps ?? Infinity);
  for (let epoch = spec.start.epoch; epoch < epochs; epoch++) {
    spec.beginEpoch?.(epoch);
    for (let i = epoch === spec.start.epoch ? spec.start.stepInEpoch : 0; i < stepsPerEpoch; i++) {
      let reason: StopReason | null = null;
      if (spec.signal?.aborted) reason = 'cancelled';
      else if (budget.maxSteps !== undefined && globalStep >= budget.maxSteps) reason = 'maxSteps';
      else if (budget.timeBudgetS !== undefined && used() >= budget.timeBudgetS) reason = 'timeBudget';
      if (reason) {
        await spec.interrupted?.({ epoch, stepInEpoch: i, globalStep, usedS: used() });
        return { reason, globalStep, epoch, usedS: used() };
      }
      const ts = clock();
      const losses = await spec.step({ epoch, stepInEpoch: i, globalStep, progress: budgetProgress(budget, stepsPerEpoch, globalStep, used()) });
      globalStep++;
      const dt = clock() - ts;
      stepTime = stepTime === null ? dt : 0.9 * stepTime + 0.1 * dt;
      const etas: number[] = [];
      if (Number.isFinite(totalSteps)) etas.push((totalSteps - globalStep) * stepTime);
      if (budget.timeBudgetS !== undefined) etas.push(Math.max(0, budget.timeBudgetS - used()));
      spec.onProgress?.({
        step: globalStep, epoch, losses, totalSteps: Number.isFinite(totalSteps) ? totalSteps : null,
        etaS: etas.length && globalStep > firstStep ? Math.min(...etas) : null,
      });
      // Steps are synchronous tensor work: give the event loop a turn after each, so timers (the worker's lease
      // heartbeat), I/O (progress writes, cancel checks) and HTTP handlers in the same process are not starved.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await spec.endEpoch?.(epoch, globalStep, used());
  }
  return { reason: 'done', globalStep, epoch: epochs, usedS: used() };
}
