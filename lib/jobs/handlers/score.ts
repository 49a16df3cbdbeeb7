/**
 * score: runs the active segmenter (and classifier S, when one is active) over every slice not yet accepted,
 * replacing that slice's model proposals with the new ones (polygons with class and score, shown in the editor's
 * proposal layer) and storing the uncertainty signals the acquisition strategies rank by. What is proposed follows
 * the version's proposal thresholds (an admin's override, else those calibrated at training time).
 * A retried job (its worker died, or a transient failure) resumes: slices that already have a prediction for the
 * segmenter version made since the job was queued are skipped, so a long run is not redone from the start.
 */
import type { Db } from '@/lib/db/client';
import { regionProposals } from '@/lib/annotations/proposals';
import { replaceProposals } from '@/lib/slices/sliceTransaction';
import type { UncertaintySignals } from '@/lib/al/types';
import { loadClassifier, loadSegmenter } from '@/lib/model/io';
import { predict, type SlicePrediction } from '@/lib/model/predict';
import { scoreConfigSchema, type ScoreConfig } from '../requests';
import { greySlice } from '../trainingData';
import { defineJobType, PermanentJobError, type JobContext, type JobOutcome } from '../types';
import { proposalThresholdsOf } from '@/lib/models/thresholds';
import { absolute, prepareBackend } from './common';

/** The signals stored for the strategies, all "higher = less sure" in [0, 1]. */
export function signalsOf(p: SlicePrediction): UncertaintySignals {
  return {
    segmentation: p.uncertainty.detection,
    ...(p.uncertainty.leastConfidence !== undefined ? { leastConfidence: p.uncertainty.leastConfidence, margin: p.uncertainty.margin, entropy: p.uncertainty.entropy } : {}),
  };
}

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
  const segmenter = loadSegmenter(absolute(segVersion.path));
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
  await ctx.log(`scoring ${slices.length} slices with segmenter v${segVersion.number}${clsVersion ? ` and classifier v${clsVersion.number}` : ''}${resumed ? ` (${resumed} already scored by an earlier attempt)` : ''}`);
  const started = Date.now();
  let proposals = 0;
  try {
    for (const [k, s] of slices.entries()) {
      if (ctx.signal.aborted) break;
      const prediction = predict(segmenter, await greySlice(s), classifier, { thresholds });
      const polygons = regionProposals(prediction, segmenter.config.classNames);
      const signals = signalsOf(prediction);
      // The slice-write protocol replaces the previous proposals (with their revisions) and stores the predictions.
      await replaceProposals(ctx.db, s.id, {
        modelVersionId: segVersion.id,
        polygons,
        predictions: [segVersion, clsVersion].flatMap((v) => (v ? [{ modelVersionId: v.id, uncertainty: signals as object, classProbs: (prediction.sliceProbabilities ?? null) as object | null }] : [])),
      });
      proposals += polygons.length;
      const elapsed = (Date.now() - started) / 1000;
      await ctx.progress({ step: k + 1, totalSteps: slices.length, etaS: ((slices.length - k - 1) * elapsed) / (k + 1), message: `${proposals} proposals` });
    }
  } finally {
    segmenter.dispose();
    classifier?.dispose();
  }
  const seconds = (Date.now() - started) / 1000;
  return { message: `scored ${slices.length} slices in ${seconds.toFixed(1)} s (${(slices.length / Math.max(seconds, 1e-3)).toFixed(2)} slices/s), ${proposals} proposals` };
}

export const scoreJob = defineJobType({
  name: 'score',
  description: 'Proposes polygons with the active segmenter on every slice not yet accepted and stores the uncertainty the acquisition strategies rank by.',
  configSchema: scoreConfigSchema,
  run: runScore,
});
