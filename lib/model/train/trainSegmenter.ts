/**
 * trainSegmenter: Mask R-CNN training from a segmentation data folder. Deterministic for a seed (weight
 * init, shuffling, augmentation and RoI/anchor sampling all draw from seeded generators), Adam with
 * decoupled (default) or L2 weight decay, validation each epoch (mask AP@0.5 and Dice per class),
 * checkpoint + resume, cooperative cancel. One tf.variableGrads per image: batch 1, as the paper.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { SegmenterConfig, TrainOptions } from '../config';
import { TRAINER_FALLBACKS, type TrainerOptions } from './recipes';
import { augment, DEFAULT_AUGMENT, type AugmentSpec } from '../data/augment';
import { readSegmentationSample, type LabelledSlice, type SegmentationRef } from '../data/datasets';
import { prepareTrainingSample } from '../data/prepare';
import { assignWeights, readModelDir, saveModelDir, type TrainingSummary } from '../io';
import { LOSS_NAMES, MaskRcnn } from '../maskRcnn';
import { evaluateSegmenter, type SegmentationReport } from '../evaluate';
import { createRng, shuffled, type Rng, type RngState } from '../random';
import { Adam, type AdamState } from './adam';
import { runLoop, type LoopPosition, type ProgressEvent, type StopReason } from './loop';
import { learningRateAt } from './schedule';

export interface TrainSegmenterOptions {
  config: SegmenterConfig;
  /** Files of a dataset folder, or slices already in memory (the worker's reviewed slices from the database). */
  train: (SegmentationRef | LabelledSlice)[];
  val?: (SegmentationRef | LabelledSlice)[];
  /** Called on the new model before training (e.g. to copy in the active version's weights for fine-tuning). */
  initialise?: (model: MaskRcnn) => void;
  options: TrainerOptions;
  onProgress?: (e: ProgressEvent) => void;
  /** Validation result after each epoch. */
  onEpoch?: (e: { epoch: number; step: number; val: SegmentationReport | null }) => void;
  signal?: AbortSignal;
  /** Checkpoint folder: written at each epoch end and when stopped; read back when `resume`. */
  checkpointDir?: string;
  resume?: boolean;
  /** Validate every N epochs (default 1; 0 = never). */
  validateEvery?: number;
  /** Summary fields stored with the weights. */
  summary?: TrainingSummary;
  /**
   * Return the weights of the best validation (best mean pooled Dice, then mean mask AP@0.5) instead of
   * the last ones: training on tens of slices fluctuates from epoch to epoch. Default true.
   */
  keepBest?: boolean;
}

export interface TrainResult<M> {
  model: M;
  reason: StopReason;
  steps: number;
  epochs: number;
  /** Validation of the returned weights; its bestThresholds are the calibrated proposal thresholds. */
  lastVal: SegmentationReport | null;
}

/** Loaded slices are kept in memory: the data sets here are small (≤ 800 slices). */
async function loadAll(refs: (SegmentationRef | LabelledSlice)[]): Promise<LabelledSlice[]> {
  const out: LabelledSlice[] = [];
  for (const r of refs) out.push('labels' in r ? r : await readSegmentationSample(r));
  return out;
}

interface CheckpointState extends Required<LoopPosition> {
  rngState: RngState | number;
  /** Shuffled order of `orderEpoch` (reused when resuming inside that epoch). */
  order: number[];
  orderEpoch: number;
}

/** The augmentation a TrainOptions value asks for (null: none). */
export function augmentSpecOf(option: TrainOptions['augment']): AugmentSpec | null {
  return option === true ? DEFAULT_AUGMENT : option === false ? null : option;
}

/**
 * Runs one optimisation step (augmented with `augment` unless null, at learning rate `lr`, default the
 * optimiser's); returns the losses by name. Everything created is disposed.
 */
export function segmenterStep(model: MaskRcnn, sample: LabelledSlice, rng: Rng, adam: Adam, step: { augment: AugmentSpec | null; lr?: number }): Record<string, number> {
  const aug = step.augment ? augment(sample.image, sample.labels, rng, step.augment) : { image: sample.image, labels: sample.labels };
  const prepared = prepareTrainingSample(aug.image, aug.labels, sample.mode, model.config);
  const losses: Record<string, number> = {};
  try {
    const vars = model.ps.variables();
    const { value, grads } = tf.variableGrads(() => {
      const terms = model.lossTerms(prepared.input, prepared.targets, rng);
      for (const n of LOSS_NAMES) losses[n] = terms[n].dataSync()[0];
      return tf.addN(LOSS_NAMES.map((n) => terms[n])) as tf.Scalar;
    }, vars);
    losses.loss = value.dataSync()[0];
    value.dispose();
    if (!Number.isFinite(losses.loss)) {
      tf.dispose(Object.values(grads));
      throw new Error(`Training diverged (loss ${losses.loss}); lower the learning rate`);
    }
    adam.apply(paramMap(model), byParamName(model, grads), step.lr);
    tf.dispose(Object.values(grads));
  } finally {
    prepared.input.image.dispose();
  }
  if (step.lr !== undefined) losses.lr = step.lr;
  return losses;
}

const varNameCache = new WeakMap<MaskRcnn | object, Map<string, string>>();
export function paramMap(model: { ps: MaskRcnn['ps'] }): Map<string, tf.Variable> {
  return new Map(model.ps.names().map((n) => [n, model.ps.get(n)]));
}
/** tf.variableGrads keys gradients by tf variable name; the optimizer and checkpoints use parameter names. */
export function byParamName(model: { ps: MaskRcnn['ps'] }, grads: tf.NamedTensorMap): Record<string, tf.Tensor> {
  let m = varNameCache.get(model);
  if (!m) {
    m = new Map(model.ps.names().map((n) => [model.ps.get(n).name, n]));
    varNameCache.set(model, m);
  }
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) {
    const n = m.get(k);
    if (n) out[n] = g;
  }
  return out;
}

export async function trainSegmenter(o: TrainSegmenterOptions): Promise<TrainResult<MaskRcnn>> {
  const opts: TrainOptions = { ...TRAINER_FALLBACKS, ...o.options };
  if (!opts.epochs && !opts.maxSteps && !opts.timeBudgetS) opts.epochs = 1;
  const model = new MaskRcnn(o.config, opts.seed);
  o.initialise?.(model);
  const adam = new Adam({ lr: opts.lr, weightDecay: opts.weightDecay, weightDecayMode: opts.weightDecayMode });
  let rng = createRng(opts.seed + 1);
  let start: LoopPosition = { epoch: 0, stepInEpoch: 0, globalStep: 0, usedS: 0 };
  let order: number[] = [];
  let orderEpoch = -1;
  if (o.resume && o.checkpointDir && fs.existsSync(path.join(o.checkpointDir, 'trainer.json'))) {
    const ck = loadCheckpoint(o.checkpointDir, model, adam);
    rng = createRng(opts.seed + 1, ck.rngState);
    start = { epoch: ck.epoch, stepInEpoch: ck.stepInEpoch, globalStep: ck.globalStep, usedS: ck.usedS ?? 0 };
    order = ck.order;
    orderEpoch = ck.orderEpoch;
  }
  const train = await loadAll(o.train);
  const val = o.val?.length ? await loadAll(o.val) : [];
  let lastVal: SegmentationReport | null = null;
  let lastValStep = -1;
  type Best = { score: [number, number]; report: SegmentationReport; weights: Map<string, Float32Array> };
  let best = null as Best | null;
  const keepBest = o.keepBest ?? true;
  const augmentSpec = augmentSpecOf(opts.augment);
  const considerBest = () => {
    if (!keepBest || !lastVal) return;
    const score: [number, number] = [Number(lastVal.bestDice.mean ?? 0), Number(lastVal.maskAP50.mean ?? 0)];
    if (best && (score[0] < best.score[0] || (score[0] === best.score[0] && score[1] <= best.score[1]))) return;
    best = { score, report: lastVal, weights: new Map(model.ps.names().map((n) => [n, (model.ps.get(n).dataSync() as Float32Array).slice()])) };
  };
  const validateEvery = o.validateEvery ?? 1;
  const checkpoint = (position: Required<LoopPosition>) => {
    if (o.checkpointDir) saveCheckpoint(o.checkpointDir, model, adam, { ...position, rngState: rng.state(), order, orderEpoch }, summaryOf());
  };
  const summaryOf = (): TrainingSummary => ({ ...o.summary, trainCount: train.length, valCount: val.length, seed: opts.seed, ...(lastVal ? { metrics: lastVal.summary } : {}) });
  const result = await runLoop({
    stepsPerEpoch: train.length,
    budget: { epochs: opts.epochs, maxSteps: opts.maxSteps, timeBudgetS: opts.timeBudgetS },
    start,
    signal: o.signal,
    onProgress: o.onProgress,
    beginEpoch: (epoch) => {
      // A resumed epoch keeps the order it was shuffled into before the interruption.
      if (orderEpoch !== epoch || order.length !== train.length) order = shuffled(train.map((_, i) => i), rng);
      orderEpoch = epoch;
    },
    step: ({ stepInEpoch, globalStep, progress }) =>
      segmenterStep(model, train[order[stepInEpoch]], rng, adam, { augment: augmentSpec, lr: learningRateAt(opts.lr, opts.schedule, globalStep, progress) }),
    endEpoch: async (epoch, globalStep, usedS) => {
      if (val.length && validateEvery > 0 && (epoch + 1) % validateEvery === 0) {
        lastVal = await evaluateSegmenter(model, val);
        lastValStep = globalStep;
        considerBest();
      }
      o.onEpoch?.({ epoch, step: globalStep, val: lastVal });
      checkpoint({ epoch: epoch + 1, stepInEpoch: 0, globalStep, usedS });
    },
    interrupted: (position) => checkpoint(position),
  });
  // A step or time budget can end mid-epoch: validate the final weights too (not after a cancel).
  if (result.reason !== 'cancelled' && val.length && validateEvery > 0 && lastValStep !== result.globalStep) {
    lastVal = await evaluateSegmenter(model, val);
    o.onEpoch?.({ epoch: result.epoch, step: result.globalStep, val: lastVal });
    considerBest();
  }
  const kept = best as Best | null; // assigned inside callbacks, which TS's narrowing does not follow
  if (keepBest && kept && kept.report !== lastVal) {
    for (const [n, data] of kept.weights) tf.tidy(() => model.ps.get(n).assign(tf.tensor(data, model.ps.get(n).shape)));
    lastVal = kept.report;
  }
  adam.dispose();
  return { model, reason: result.reason, steps: result.globalStep, epochs: result.epoch, lastVal };
}

export function saveCheckpoint(dir: string, model: { ps: MaskRcnn['ps']; config: unknown; kind?: 'segmenter' | 'classifier'; classNames?: string[] }, adam: Adam, state: CheckpointState, summary: TrainingSummary): void {
  const cfg = model.config as { kind: 'segmenter' | 'classifier'; classNames: string[] };
  saveModelDir(dir, { kind: cfg.kind, config: model.config, classNames: cfg.classNames, ps: model.ps }, summary);
  const s = adam.getState();
  const names = Object.keys(s.m);
  const total = names.reduce((a, n) => a + s.m[n].length, 0);
  const buf = new Float32Array(2 * total);
  let off = 0;
  for (const n of names) { buf.set(s.m[n], off); off += s.m[n].length; buf.set(s.v[n], off); off += s.v[n].length; }
  fs.writeFileSync(path.join(dir, 'optimizer.bin'), new Uint8Array(buf.buffer));
  fs.writeFileSync(path.join(dir, 'trainer.json'), JSON.stringify({ ...state, adamStep: s.step, adamNames: names.map((n) => [n, s.m[n].length]) }));
}

export function loadCheckpoint(dir: string, model: { ps: MaskRcnn['ps'] }, adam: Adam): CheckpointState {
  const md = readModelDir(dir);
  assignWeights(md, model.ps);
  const st = JSON.parse(fs.readFileSync(path.join(dir, 'trainer.json'), 'utf8')) as CheckpointState & { adamStep: number; adamNames: [string, number][] };
  const raw = fs.readFileSync(path.join(dir, 'optimizer.bin'));
  const buf = new Float32Array(new Uint8Array(raw).buffer);
  const state: AdamState = { step: st.adamStep, m: {}, v: {} };
  let off = 0;
  for (const [n, len] of st.adamNames) {
    state.m[n] = buf.slice(off, off + len); off += len;
    state.v[n] = buf.slice(off, off + len); off += len;
  }
  adam.setState(state, paramMap(model));
  return st;
}
