/**
 * trainClassifier: COVID-CT-Mask-Net's module S on top of a trained segmenter. In `heads` mode the trunk
 * is frozen, so each slice's ranked N×5 matrix depends only on (slice content, segmenter weights): it is
 * computed once and cached on disk under <cacheDir>/<segmenter sha256>/<slice sha256>.bin, and S then
 * trains on those matrices in seconds. `heads+bn` and `full` run the trunk inside the gradient tape.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { classifierLoss, CovidCtMaskNet } from '../classifierS';
import type { ClassifierConfig, TrainOptions } from '../config';
import { TRAINER_FALLBACKS, type TrainerOptions } from './recipes';
import { readGreySlice, type ClassificationRef } from '../data/datasets';
import { prepareInput } from '../data/prepare';
import { assignWeights, readModelDir, sha256, type TrainingSummary } from '../io';
import { createRng, shuffled } from '../random';
import { Adam } from './adam';
import { runLoop, type ProgressEvent, type StepContext, type StopReason } from './loop';
import { learningRateAt } from './schedule';
import { byParamName, paramMap } from './trainSegmenter';
import { classificationReport, type ClassificationReport } from '../evaluate';

export interface TrainClassifierOptions {
  config: ClassifierConfig;
  /** Folder of the trained segmenter whose trunk S sits on. */
  segmenterDir: string;
  train: ClassificationRef[];
  val?: ClassificationRef[];
  options: TrainerOptions;
  /** Slices per step (paper: 8). */
  batchSize?: number;
  /** Where ranked features are cached (heads mode); no disk cache when absent. */
  cacheDir?: string;
  onProgress?: (e: ProgressEvent) => void;
  onEpoch?: (e: { epoch: number; step: number; val: ClassificationReport | null }) => void;
  signal?: AbortSignal;
}

export interface ClassifierTrainResult {
  model: CovidCtMaskNet;
  reason: StopReason;
  steps: number;
  lastVal: ClassificationReport | null;
  segmenterChecksum: string;
  summary: TrainingSummary;
}

/** Builds the classifier with the segmenter's weights copied in (S stays freshly initialised). */
export function classifierFromSegmenter(config: ClassifierConfig, segmenterDir: string, seed: number): { model: CovidCtMaskNet; segmenterChecksum: string } {
  const md = readModelDir(segmenterDir);
  if (md.manifest.kind !== 'segmenter') throw new Error(`${segmenterDir} holds a ${md.manifest.kind}, not a segmenter`);
  const model = new CovidCtMaskNet({ ...config, segmenter: md.config as ClassifierConfig['segmenter'] }, seed);
  assignWeights(md, model.ps, (n) => !n.startsWith('s.'));
  return { model, segmenterChecksum: md.manifest.sha256 };
}

/** Ranked features of a slice file, from the disk cache when possible. */
export async function cachedRankedFeatures(model: CovidCtMaskNet, file: string, segmenterChecksum: string, cacheDir?: string): Promise<Float32Array> {
  const bytes = fs.readFileSync(file);
  const key = sha256(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const n = model.config.rankedN;
  const cacheFile = cacheDir ? path.join(cacheDir, segmenterChecksum, `${key}-n${n}.bin`) : null;
  if (cacheFile && fs.existsSync(cacheFile)) {
    const raw = fs.readFileSync(cacheFile);
    if (raw.byteLength === 20 * n) return new Float32Array(new Uint8Array(raw).buffer);
  }
  const input = prepareInput(await readGreySlice(file), model.config.segmenter);
  try {
    const f = model.rankedFeatures(input);
    if (cacheFile) {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      fs.writeFileSync(cacheFile, new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
    }
    return f;
  } finally {
    input.image.dispose();
  }
}

export async function trainClassifier(o: TrainClassifierOptions): Promise<ClassifierTrainResult> {
  const opts: TrainOptions = { ...TRAINER_FALLBACKS, ...o.options };
  if (!opts.epochs && !opts.maxSteps && !opts.timeBudgetS) opts.epochs = 50;
  const { model, segmenterChecksum } = classifierFromSegmenter(o.config, o.segmenterDir, opts.seed);
  const rng = createRng(opts.seed + 1);
  const batch = o.batchSize ?? 8;
  const heads = o.config.mode === 'heads';
  // The disk cache is keyed by the starting segmenter: valid only while the trunk stays frozen (heads mode).
  const featuresOf = async (refs: ClassificationRef[]) => {
    const out: Float32Array[] = [];
    for (const r of refs) out.push(await cachedRankedFeatures(model, r.image, segmenterChecksum, heads ? o.cacheDir : undefined));
    return out;
  };
  const trainFeats = heads ? await featuresOf(o.train) : null;
  // heads mode: the validation features never change, so they are computed once; otherwise the trunk trains and
  // each validation recomputes them
  const valFeats = heads && o.val?.length ? await featuresOf(o.val) : null;
  const filter = model.trainableFilter();
  const vars = model.ps.variables(filter);
  const adam = new Adam({ lr: opts.lr, weightDecay: opts.weightDecay, weightDecayMode: opts.weightDecayMode });
  const n5 = 5 * o.config.rankedN;
  let order: number[] = [];
  const stepsPerEpoch = Math.ceil(o.train.length / batch);
  let lastVal: ClassificationReport | null = null;

  const step = async ({ stepInEpoch: i, globalStep, progress }: StepContext): Promise<Record<string, number>> => {
    const idx = order.slice(i * batch, (i + 1) * batch);
    const labels = Int32Array.from(idx, (k) => o.train[k].label);
    let inputs: ReturnType<typeof prepareInput>[] = [];
    let x: Float32Array | null = null;
    if (trainFeats) {
      x = new Float32Array(idx.length * n5);
      idx.forEach((k, j) => x!.set(trainFeats[k], j * n5));
    } else {
      inputs = await Promise.all(idx.map(async (k) => prepareInput(await readGreySlice(o.train[k].image), model.config.segmenter)));
    }
    try {
      const { value, grads } = tf.variableGrads(() => {
        const feats = x ? tf.tensor2d(x, [idx.length, n5]) : tf.concat(inputs.map((inp) => model.rankedFeaturesTensor(inp)), 0);
        return classifierLoss(model.s(feats as tf.Tensor2D), labels);
      }, vars);
      const loss = value.dataSync()[0];
      value.dispose();
      const lr = learningRateAt(opts.lr, opts.schedule, globalStep, progress);
      adam.apply(paramMap(model), byParamName(model, grads), lr);
      tf.dispose(Object.values(grads));
      return { loss, lr };
    } finally {
      for (const inp of inputs) inp.image.dispose();
    }
  };

  const evaluate = async (): Promise<ClassificationReport | null> => {
    if (!o.val?.length) return null;
    const feats = valFeats ?? (await featuresOf(o.val));
    const predicted = feats.map((f) => tf.tidy(() => tf.argMax(model.s(tf.tensor2d(f, [1, n5])), 1).dataSync()[0]));
    return classificationReport(o.val.map((r) => r.label), predicted, o.config.classNames);
  };

  const result = await runLoop({
    stepsPerEpoch,
    budget: { epochs: opts.epochs, maxSteps: opts.maxSteps, timeBudgetS: opts.timeBudgetS },
    start: { epoch: 0, stepInEpoch: 0, globalStep: 0 },
    signal: o.signal,
    onProgress: o.onProgress,
    beginEpoch: () => { order = shuffled(o.train.map((_, i) => i), rng); },
    step,
    endEpoch: async (epoch, globalStep) => {
      lastVal = await evaluate();
      o.onEpoch?.({ epoch, step: globalStep, val: lastVal });
    },
  });
  adam.dispose();
  const summary: TrainingSummary = {
    trainCount: o.train.length, valCount: o.val?.length ?? 0, steps: result.globalStep, seed: opts.seed,
    segmenterChecksum, ...(lastVal ? { metrics: (lastVal as ClassificationReport).summary } : {}),
  };
  return { model, reason: result.reason, steps: result.globalStep, lastVal, segmenterChecksum, summary };
}
