/**
 * train-classifier: trains COVID-CT-Mask-Net's module S on the slice classes, on top of the active segmenter's
 * frozen trunk (paper: heads / heads+bn / full), validates it on the study split and promotes it through the gate.
 * The library reads slices from image files, so the job writes each slice once, windowed, into its scratch folder.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { availableSliceClasses } from '@/lib/annotations/sliceClasses';
import { canonicalClassList } from '@/lib/classes/aliases';
import { loadClassResolver } from '@/lib/classes/aliasSettings';
import { defaultClassifierConfig, parseSegmenterConfig } from '@/lib/model/config';
import { saveClassifier } from '@/lib/model/io';
import { CLASSIFIER_RECIPES } from '@/lib/model/train/recipes';
import { trainClassifier } from '@/lib/model/train/trainClassifier';
import { activeVersion, promoteIfBetter, registerVersion } from '@/lib/models/versions';
import { trainClassifierConfigSchema, type TrainClassifierConfig } from '../requests';
import { classifiedSlices, greySlice, splitByStudy } from '../trainingData';
import { defineJobType, PermanentJobError, type JobContext, type JobOutcome } from '../types';
import { absolute, jobDir, prepareBackend, progressForwarder, writeModelAtomically } from './common';

async function runTrainClassifier(ctx: JobContext, cfg: TrainClassifierConfig): Promise<JobOutcome> {
  const segmenter = await activeVersion(ctx.db, 'segmenter');
  if (!segmenter) throw new PermanentJobError('S sits on a trained segmenter: train and promote a segmenter first');
  // one name per class: the aliases merge names that mean the same (COVID-19 and COVID)
  const classNames = canonicalClassList(cfg.classNames ?? (await availableSliceClasses(ctx.db)), await loadClassResolver(ctx.db));
  const labelled = await classifiedSlices(ctx.db, classNames, { includeSubmitted: cfg.includeSubmitted });
  const used = classNames.filter((_, k) => labelled.some((s) => s.label === k));
  if (used.length < 2) throw new PermanentJobError(`S needs slices of at least two classes; found ${used.join(', ') || 'none'} among ${classNames.join(', ')}`);
  // Only the classes that occur: an output for a class with no example cannot learn anything.
  const slices = labelled.map((s) => ({ ...s, label: used.indexOf(classNames[s.label]) })).filter((s) => s.label >= 0);
  const { train, val } = splitByStudy(slices);
  await prepareBackend(ctx);
  await ctx.log(`training S (${cfg.mode}) on ${train.length} slices, validating on ${val.length}; classes ${used.join(', ')}; on segmenter v${segmenter.number}`);

  const imagesDir = path.join(jobDir(ctx.jobId), 'slices');
  fs.mkdirSync(imagesDir, { recursive: true });
  const refOf = async (s: (typeof slices)[number]) => {
    const file = path.join(imagesDir, `${s.id}.png`);
    if (!fs.existsSync(file)) {
      const g = await greySlice(s);
      const bytes = Uint8Array.from(g.pixels, (v) => Math.round(v * 255));
      await sharp(Buffer.from(bytes), { raw: { width: g.width, height: g.height, channels: 1 } }).png().toFile(file);
    }
    return { id: s.id, image: file, label: s.label };
  };
  const trainRefs = await Promise.all(train.map(refOf));
  const valRefs = await Promise.all(val.map(refOf));
  const progress = progressForwarder(ctx, cfg.epochs);
  const config = { ...defaultClassifierConfig(parseSegmenterConfig(segmenter.config), used), mode: cfg.mode };
  const recipe = cfg.mode === 'heads' ? CLASSIFIER_RECIPES.heads : CLASSIFIER_RECIPES.full;
  const result = await trainClassifier({
    config,
    segmenterDir: absolute(segmenter.path),
    train: trainRefs,
    val: valRefs,
    options: { ...recipe, seed: cfg.seed, lr: cfg.lr ?? recipe.lr, epochs: cfg.epochs, timeBudgetS: cfg.timeBudgetMin * 60 },
    cacheDir: path.join(absolute('models'), 'feature-cache'),
    onProgress: progress.onProgress,
    signal: ctx.signal,
  });
  await progress.done();
  try {
    if (result.reason === 'cancelled') return { message: `cancelled after ${result.steps} steps` };
    const metrics = result.lastVal;
    const gateMetric = metrics ? metrics.accuracy : Number.NaN;
    const summary = { ...result.summary, sliceIds: train.map((s) => s.id), valSliceIds: val.map((s) => s.id), classNames: used, segmenterVersionId: segmenter.id };
    const modelPath = writeModelAtomically('classifier', `${Date.now()}-${randomUUID().slice(0, 8)}`, (dir) => saveClassifier(dir, result.model, summary));
    const version = await registerVersion(ctx.db, {
      kind: 'classifier', path: modelPath, config: result.model.config, metrics: metrics ?? {}, gateMetric,
      trainingSummary: { ...summary, trainCount: train.length, valCount: val.length, steps: result.steps, stopped: result.reason },
      labelledSlices: train.length + val.length, parentId: null, jobId: ctx.jobId,
    });
    const promotion = await promoteIfBetter(ctx.db, version.id, { force: cfg.forcePromote });
    await ctx.log(`classifier v${version.number}: validation accuracy ${Number.isFinite(gateMetric) ? gateMetric.toFixed(4) : 'n/a'}; ${promotion.promoted ? 'promoted' : 'not promoted'} (${promotion.reason})`);
    fs.rmSync(jobDir(ctx.jobId), { recursive: true, force: true });
    return { resultVersionId: version.id, message: `trained ${result.steps} steps (${result.reason})` };
  } finally {
    result.model.dispose();
  }
}

export const trainClassifierJob = defineJobType({
  name: 'train-classifier',
  description: "Trains the slice classifier S on the slice classes, on the active segmenter's frozen trunk, and promotes it through the gate.",
  configSchema: trainClassifierConfigSchema,
  run: runTrainClassifier,
});
