/**
 * train-segmenter: fine-tunes the active segmenter (or the base model) on the reviewed slices (split by study), or
 * trains from scratch when asked; keeps the epoch that validates best, calibrates the proposal thresholds on the
 * validation slices, stores the result as a new model version, and promotes it through the gate — the new version,
 * the active one and the base model each measured now on the same validation slices. A promoted version queues a
 * score job.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Db } from '@/lib/db/client';
import { makeSegmenterConfig, parseSegmenterConfig } from '@/lib/model/config';
import type { LabelledSlice } from '@/lib/model/data/datasets';
import { evaluateSegmenter, type SegmentationReport } from '@/lib/model/evaluate';
import { loadSegmenter, readModelDir, saveSegmenter } from '@/lib/model/io';
import { retrainSegmenter } from '@/lib/model/train/retrain';
import { baseVersion } from '@/lib/models/baseModel';
import { activeVersion, promoteIfBetter, registerVersion, type GateFigures } from '@/lib/models/versions';
import { trainSegmenterConfigSchema, type TrainSegmenterConfig } from '../requests';
import { enqueueJob } from '../service';
import { labelledSlice, reviewedSlices, splitByStudy } from '../trainingData';
import { defineJobType, PermanentJobError, type JobContext, type JobOutcome } from '../types';
import { absolute, jobDir, prepareBackend, progressForwarder, writeModelAtomically } from './common';

type Version = NonNullable<Awaited<ReturnType<typeof activeVersion>>>;

/** The version to fine-tune from: the active segmenter, else the base model, if its architecture is the one asked for. */
async function startingVersion(db: Db, preset: string, maskType: string, log: JobContext['log']): Promise<Version | null> {
  const candidate = (await activeVersion(db, 'segmenter')) ?? (await baseVersion(db));
  if (!candidate) {
    await log('no segmenter to start from: training from scratch');
    return null;
  }
  const cfg = parseSegmenterConfig(candidate.config);
  if (cfg.preset !== preset || cfg.maskType !== maskType) {
    await log(`segmenter v${candidate.number} is ${cfg.preset}/${cfg.maskType}, not ${preset}/${maskType}: training from scratch`);
    return null;
  }
  return candidate;
}

/** A stored version's best mean Dice on these slices (null when there is none to measure, or its folder is unreadable). */
async function figureOn(version: Version | null, slices: LabelledSlice[], log: JobContext['log']): Promise<number | null> {
  if (!version || slices.length === 0) return null;
  let model;
  try {
    model = loadSegmenter(absolute(version.path));
  } catch (err) {
    await log(`segmenter v${version.number} could not be loaded to measure it on the same slices (${(err as Error).message}): the gate uses its stored figure`);
    return null;
  }
  try {
    return Number((await evaluateSegmenter(model, slices)).bestDice.mean ?? 0);
  } finally {
    model.dispose();
  }
}

async function runTrainSegmenter(ctx: JobContext, cfg: TrainSegmenterConfig): Promise<JobOutcome> {
  await prepareBackend(ctx);
  const reviewed = await reviewedSlices(ctx.db, { includeSubmitted: cfg.includeSubmitted });
  const { train, val } = splitByStudy(reviewed);
  if (train.length === 0) throw new PermanentJobError('No reviewed slices to train on: accept some annotations first');
  const negatives = train.filter((s) => s.polygons.length === 0).length;
  const [trainSamples, valSamples] = [await Promise.all(train.map(labelledSlice)), await Promise.all(val.map(labelledSlice))];
  const start = cfg.fineTune ? await startingVersion(ctx.db, cfg.preset, cfg.maskType, ctx.log) : null;
  await ctx.log(`${start ? `fine-tuning segmenter v${start.number}${start.label ? ` (${start.label})` : ''}` : 'training from scratch'}: ${cfg.preset}/${cfg.maskType} on ${train.length} slices (${negatives} lesion-free), validating on ${val.length}; split by study; budget ${cfg.timeBudgetMin} CPU-minutes`);
  const progress = progressForwarder(ctx, cfg.epochs);
  const summary = { sliceIds: train.map((s) => s.id), valSliceIds: val.map((s) => s.id), negatives, startedFrom: start?.id ?? null };
  const result = await retrainSegmenter({
    start: start ? readModelDir(absolute(start.path)) : null,
    config: makeSegmenterConfig(cfg.preset, cfg.maskType),
    train: trainSamples,
    val: valSamples,
    seed: cfg.seed, lr: cfg.lr, epochs: cfg.epochs, timeBudgetS: cfg.timeBudgetMin * 60,
    onProgress: progress.onProgress,
    signal: ctx.signal,
    checkpointDir: `${jobDir(ctx.jobId)}/checkpoint`,
    // A retried job (its worker died) continues from its last checkpoint.
    resume: ctx.attempt > 1,
    summary,
  });
  const recipe = result.recipe;
  await progress.done();
  try {
    if (result.reason === 'cancelled') return { message: `cancelled after ${result.steps} steps` };
    const tuned: SegmentationReport | null = result.lastVal;
    const thresholds = result.thresholds;
    // what annotators will be proposed on the validation slices, at the calibrated thresholds
    const metrics = valSamples.length ? await evaluateSegmenter(result.model, valSamples, { thresholds }) : null;
    const candidate = Number(tuned?.bestDice.mean ?? Number.NaN);
    const active = await activeVersion(ctx.db, 'segmenter');
    const base = await baseVersion(ctx.db);
    const figures: GateFigures = {
      candidate,
      active: await figureOn(active, valSamples, ctx.log),
      activeId: active?.id ?? null,
      base: base && base.id !== active?.id ? await figureOn(base, valSamples, ctx.log) : null,
    };
    const name = `${Date.now()}-${randomUUID().slice(0, 8)}`;
    const path = writeModelAtomically('segmenter', name, (dir) => saveSegmenter(dir, result.model, summary, { proposalThresholds: thresholds }));
    const version = await registerVersion(ctx.db, {
      kind: 'segmenter', path, config: result.model.config, metrics: { ...(metrics?.summary ?? {}), gate: figures }, gateMetric: candidate,
      trainingSummary: { ...summary, trainCount: train.length, valCount: val.length, steps: result.steps, stopped: result.reason, recipe },
      labelledSlices: train.length + val.length, parentId: start?.id ?? null, jobId: ctx.jobId, proposalThresholds: thresholds ?? null,
    });
    const promotion = await promoteIfBetter(ctx.db, version.id, { force: cfg.forcePromote, figures: active && figures.active === null ? undefined : figures });
    const proposing = metrics ? `${metrics.proposalsPerSlice} proposals per validation slice` : 'no validation slices';
    await ctx.log(`segmenter v${version.number}: validation best Dice ${Number.isFinite(candidate) ? candidate.toFixed(4) : 'n/a'}, ${proposing}; ${promotion.promoted ? 'promoted' : 'not promoted'} (${promotion.reason})`);
    if (metrics && metrics.proposalsPerSlice === 0) await ctx.log(`warning: segmenter v${version.number} proposes nothing on its own validation slices at its thresholds`);
    if (promotion.promoted) await enqueueJob(ctx.db, { type: 'score', config: {}, createdById: null });
    fs.rmSync(jobDir(ctx.jobId), { recursive: true, force: true });
    return { resultVersionId: version.id, message: `trained ${result.steps} steps in ${result.epochs} epochs (${result.reason})` };
  } finally {
    result.model.dispose();
  }
}

export const trainSegmenterJob = defineJobType({
  name: 'train-segmenter',
  description: 'Fine-tunes the active segmenter (or trains one from scratch) on the reviewed slices, calibrates its proposal thresholds and promotes it through the gate.',
  configSchema: trainSegmenterConfigSchema,
  run: runTrainSegmenter,
});
