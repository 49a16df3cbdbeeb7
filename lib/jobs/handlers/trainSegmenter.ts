/**
 * train-segmenter: trains the Mask R-CNN segmenter on the reviewed slices (split by study), validates it, stores it
 * as a new model version and promotes it through the gate; a promoted version queues a score job.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Db } from '@/lib/db/client';
import { makeSegmenterConfig } from '@/lib/model/config';
import { assignWeights, readModelDir, saveSegmenter } from '@/lib/model/io';
import type { MaskRcnn } from '@/lib/model/maskRcnn';
import { trainSegmenter } from '@/lib/model/train/trainSegmenter';
import { activeVersion, promoteIfBetter, registerVersion } from '@/lib/models/versions';
import { trainSegmenterConfigSchema } from '../requests';
import { enqueueJob } from '../service';
import { labelledSlice, reviewedSlices, splitByStudy } from '../trainingData';
import { PermanentJobError, type JobHandler } from '../types';
import { absolute, jobDir, prepareBackend, progressForwarder, writeModelAtomically } from './common';

async function fineTuneFrom(db: Db, log: (line: string) => Promise<void>) {
  const parent = await activeVersion(db, 'segmenter');
  if (!parent) return { parentId: null, initialise: undefined };
  const md = readModelDir(absolute(parent.path));
  return {
    parentId: parent.id,
    initialise: (model: MaskRcnn) => {
      try {
        assignWeights(md, model.ps);
        void log(`fine-tuning from segmenter v${parent.number}`);
      } catch {
        // Another preset or mask type: its weights do not fit; training starts from scratch instead.
        void log(`segmenter v${parent.number} has another architecture: training from scratch`);
      }
    },
  };
}

export const trainSegmenterJob: JobHandler = async (ctx) => {
  const parsed = trainSegmenterConfigSchema.safeParse(ctx.config);
  if (!parsed.success) throw new PermanentJobError(`invalid config: ${parsed.error.message}`);
  const cfg = parsed.data;
  await prepareBackend(ctx);
  const reviewed = await reviewedSlices(ctx.db, { includeSubmitted: cfg.includeSubmitted });
  const { train, val } = splitByStudy(reviewed);
  if (train.length === 0) throw new PermanentJobError('No reviewed slices to train on: accept some annotations first');
  const negatives = train.filter((s) => s.polygons.length === 0).length;
  await ctx.log(`training ${cfg.preset}/${cfg.maskType} on ${train.length} slices (${negatives} lesion-free), validating on ${val.length}; split by study`);
  const [trainSamples, valSamples] = [await Promise.all(train.map(labelledSlice)), await Promise.all(val.map(labelledSlice))];
  const tune = cfg.fineTune ? await fineTuneFrom(ctx.db, ctx.log) : { parentId: null, initialise: undefined };
  const checkpointDir = `${jobDir(ctx.jobId)}/checkpoint`;
  const progress = progressForwarder(ctx, cfg.epochs);
  const summary = { sliceIds: train.map((s) => s.id), valSliceIds: val.map((s) => s.id), negatives };
  const result = await trainSegmenter({
    config: makeSegmenterConfig(cfg.preset, cfg.maskType),
    train: trainSamples,
    val: valSamples,
    options: { seed: cfg.seed, lr: cfg.lr, epochs: cfg.epochs, timeBudgetS: cfg.timeBudgetMin * 60 },
    initialise: tune.initialise,
    onProgress: progress.onProgress,
    signal: ctx.signal,
    checkpointDir,
    // A retried job (its worker died) continues from its last checkpoint.
    resume: ctx.attempt > 1,
    summary,
  });
  await progress.done();
  try {
    if (result.reason === 'cancelled') return { message: `cancelled after ${result.steps} steps` };
    const metrics = result.lastVal;
    // The gate compares pooled Dice over the lesion classes on the validation split.
    const gateMetric = metrics ? Number(metrics.dice.mean ?? 0) : Number.NaN;
    const name = `${Date.now()}-${randomUUID().slice(0, 8)}`;
    const path = writeModelAtomically('segmenter', name, (dir) => saveSegmenter(dir, result.model, summary));
    const version = await registerVersion(ctx.db, {
      kind: 'segmenter', path, config: result.model.config, metrics: metrics ?? {}, gateMetric,
      trainingSummary: { ...summary, trainCount: train.length, valCount: val.length, steps: result.steps, stopped: result.reason },
      labelledSlices: train.length + val.length, parentId: tune.parentId, jobId: ctx.jobId,
    });
    const promotion = await promoteIfBetter(ctx.db, version.id, { force: cfg.forcePromote });
    await ctx.log(`segmenter v${version.number}: validation Dice ${Number.isFinite(gateMetric) ? gateMetric.toFixed(4) : 'n/a'}; ${promotion.promoted ? 'promoted' : 'not promoted'} (${promotion.reason})`);
    if (promotion.promoted) await enqueueJob(ctx.db, { type: 'score', config: {}, createdById: null });
    fs.rmSync(jobDir(ctx.jobId), { recursive: true, force: true });
    return { resultVersionId: version.id, message: `trained ${result.steps} steps in ${result.epochs} epochs (${result.reason})` };
  } finally {
    result.model.dispose();
  }
};
