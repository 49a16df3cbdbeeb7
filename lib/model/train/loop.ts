/**
 * The training loop shared by the segmenter and classifier S: epochs, step and time budgets (whichever
 * ends first), cooperative cancel (the AbortSignal is checked before every step, so training stops
 * within one step), progress events with an ETA, and an end-of-epoch hook (validation, checkpoint).
 */
export interface ProgressEvent {
  /** Steps done so far (1-based after the first step), counted across resumes. */
  step: number;
  epoch: number;
  /** Losses of this step by name, plus `loss` (their sum). */
  losses: Record<string, number>;
  /** Estimated seconds left under the active budget, null while unknown. */
  etaS: number | null;
  totalSteps: number | null;
}

export type StopReason = 'done' | 'maxSteps' | 'timeBudget' | 'cancelled';

export interface LoopBudget {
  epochs?: number;
  maxSteps?: number;
  timeBudgetS?: number;
}

export interface LoopSpec {
  stepsPerEpoch: number;
  budget: LoopBudget;
  /** Where to start (resume): epoch index and step within it, and total steps already done. */
  start: { epoch: number; stepInEpoch: number; globalStep: number };
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Called at the start of each epoch (e.g. to shuffle). */
  beginEpoch?: (epoch: number) => void;
  step: (epoch: number, stepInEpoch: number) => Promise<Record<string, number>> | Record<string, number>;
  /** Called after a completed epoch. */
  endEpoch?: (epoch: number, globalStep: number) => Promise<void> | void;
  /** Called when stopping mid-epoch (cancel or budget), to checkpoint the position. */
  interrupted?: (epoch: number, stepInEpoch: number, globalStep: number) => Promise<void> | void;
}

export async function runLoop(spec: LoopSpec): Promise<{ reason: StopReason; globalStep: number; epoch: number }> {
  const { budget, stepsPerEpoch } = spec;
  if (!budget.epochs && !budget.maxSteps && !budget.timeBudgetS) throw new Error('Training needs a budget: epochs, a step count or a time budget');
  if (stepsPerEpoch <= 0) throw new Error('Training set is empty');
  const t0 = Date.now();
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
      else if (budget.timeBudgetS !== undefined && (Date.now() - t0) / 1000 >= budget.timeBudgetS) reason = 'timeBudget';
      if (reason) {
        await spec.interrupted?.(epoch, i, globalStep);
        return { reason, globalStep, epoch };
      }
      const ts = Date.now();
      const losses = await spec.step(epoch, i);
      globalStep++;
      const dt = (Date.now() - ts) / 1000;
      stepTime = stepTime === null ? dt : 0.9 * stepTime + 0.1 * dt;
      const etas: number[] = [];
      if (Number.isFinite(totalSteps)) etas.push((totalSteps - globalStep) * stepTime);
      if (budget.timeBudgetS !== undefined) etas.push(Math.max(0, budget.timeBudgetS - (Date.now() - t0) / 1000));
      spec.onProgress?.({
        step: globalStep, epoch, losses, totalSteps: Number.isFinite(totalSteps) ? totalSteps : null,
        etaS: etas.length && globalStep > firstStep ? Math.min(...etas) : null,
      });
      // Steps are synchronous tensor work: give the event loop a turn after each, so timers (the worker's lease
      // heartbeat), I/O (progress writes, cancel checks) and HTTP handlers in the same process are not starved.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await spec.endEpoch?.(epoch, globalStep);
  }
  return { reason: 'done', globalStep, epoch: epochs };
}
