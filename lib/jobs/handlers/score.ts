/**
 * score: runs the active segmenter (and classifier S, when one is active) over every slice not yet accepted,
 * replacing that slice's model proposals with the new ones (polygons with class and score, shown in the editor's
 * proposal layer) and storing the uncertainty signals the acquisition strategies rank by. What is proposed follows
 * the version's proposal thresholds (an admin's override, else those calibrated at training time). The segmenter runs
 * on onnxruntime with the job's cores (falling back to wasm with one log line saying why); the worker keeps one
 * opened segmenter per model version across jobs.
 * A retried job (its worker died, or a transient failure) resumes: slices that already have a prediction for the
 * segmenter version made since the job was queued are skipped, so a long run is not redone from the start.
 */
import type { Db } from '@/lib/db/client';
import { regionProposals } from '@/lib/annotations/proposals';
import { replaceProposals } from '@/lib/slices/sliceTransaction';
import { scoreSlice } from '@/lib/al/scoreSlice';
import { getAlSettings } from '@/lib/al/settings';
import { STRATEGIES, type StrategyName } from '@/lib/al/strategies';
import { SegmenterCache } from '@/lib/model/inferenceBackend';
import { loadClassifier } from '@/lib/model/io';
import { scoreConfigSchema, type ScoreConfig } from '../requests';
import { greySlice } from '../trainingData';
import { defineJobType, PermanentJobError, type JobContext, type JobOutcome } from '../types';
import { proposalThresholdsOf } from '@/lib/models/thresholds';
import { absolute, jobCores, prepareBackend } from './common';

/** This worker process's opened segmenters, one per model version (and backend and core count). */
const segmenters = new SegmenterCache();

async function versionFor(db: Db, kind: 'segmenter' | 'classifier', id?: string) {
  return id ? db.modelVersion.findFirst({ where: { id, kind } }) : db.modelVersion.findFirst({ where: { kind, active: true } });
}

/**
 * Slices this job has already scored with the version: a prediction made since the job was queued is as fresh as
 * the one it would make (an older one, from before an admin changed the thresholds, is not).
 */
async function alreadyScored(db: Db, modelVersionId: string, since: Date): Promise<Set<string>> {
  const done = await db.prediction.findMany({ where: { modelVersionId, createdAt: { gte: since } }, select: { sliceId: true } });
  return new Set(done.map((p) => p.sliceId));
}

async function runScore(ctx: JobContext, cfg: ScoreConfig): Promise<JobOutcome> {
  const segVersion = await versionFor(ctx.db, 'segmenter', cfg.segmenterVersionId);
  if (!segVersion) throw new PermanentJobError('No segmenter to score with: train one first');
  const clsVersion = await versionFor(ctx.db, 'classifier', cfg.classifierVersionId);
  await prepareBackend(ctx);
  const logLines: string[] = [];
  const { segmenter, backend } = await segmenters.get(segVersion.id, absolute(segVersion.path), { backend: cfg.backend, threads: jobCores(cfg.cores), log: (l) => logLines.push(l) });
  for (const l of logLines) await ctx.log(l);
  if (logLines.length === 0) await ctx.log(`[model] inference backend=${backend} (segmenter v${segVersion.number} already open in this worker)`);
  const thresholds = proposalThresholdsOf(segVersion, segmenter.config.classNames);
  const classifier = clsVersion ? loadClassifier(absolute(clsVersion.path)) : undefined;
  const unaccepted = await ctx.db.slice.findMany({
    where: { status: { not: 'ACCEPTED' } },
    orderBy: [{ studyId: 'asc' }, { index: 'asc' }],
    select: { id: true, pixelPath: true, windowWidth: true, windowLevel: true },
  });
  const scored = await alreadyScored(ctx.db, segVersion.id, ctx.queuedAt);
  const slices = unaccepted.filter((s) => !scored.has(s.id));
  const resumed = unaccepted.length - slices.length;
  // The costly signals (augmented passes, slice descriptors) only for a strategy that reads them.
  const strategy = (await getAlSettings(ctx.db)).strategy as StrategyName;
  const needs = STRATEGIES[strategy].needs;
  await ctx.log(`scoring ${slices.length} slices with segmenter v${segVersion.number}${clsVersion ? ` and classifier v${clsVersion.number}` : ''}${resumed ? ` (${resumed} already scored by an earlier attempt)` : ''}`);
  const started = Date.now();
  let proposals = 0;
  try {
    for (const [k, s] of slices.entries()) {
      if (ctx.signal.aborted) break;
      const { prediction, signals, embedding } = await scoreSlice(segmenter, await greySlice(s), classifier, { thresholds, needs });
      const polygons = regionProposals(prediction, segmenter.config.classNames);
      // The slice-write protocol replaces the previous proposals (with their revisions) and stores the predictions.
      await replaceProposals(ctx.db, s.id, {
        modelVersionId: segVersion.id,
        polygons,
        predictions: [segVersion, clsVersion].flatMap((v) => (v ? [{ modelVersionId: v.id, uncertainty: signals as object, classProbs: (prediction.sliceProbabilities ?? null) as object | null, embedding: v === segVersion ? embedding : undefined }] : [])),
      });
      proposals += polygons.length;
      const elapsed = (Date.now() - started) / 1000;
      await ctx.progress({ step: k + 1, totalSteps: slices.length, etaS: ((slices.length - k - 1) * elapsed) / (k + 1), message: `${proposals} proposals` });
    }
  } finally {
    // the segmenter stays open in the cache for the next job on this version
    classifier?.dispose();
  }
  const seconds = (Date.now() - started) / 1000;
  const message = `scored ${slices.length} slices in ${seconds.toFixed(1)} s (${(slices.length / Math.max(seconds, 1e-3)).toFixed(2)} slices/s on ${backend}), ${proposals} proposals`;
  await ctx.log(message);
  return { message };
}

export const scoreJob = defineJobType({
  name: 'score',
  description: 'Proposes polygons with the active segmenter on every slice not yet accepted and stores the uncertainty the acquisition strategies rank by.',
  configSchema: scoreConfigSchema,
  run: runScore,
});
