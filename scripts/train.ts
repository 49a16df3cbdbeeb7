/**
 * npm run train -- --data <dir> --task segment|classify --preset tiny|light|full [--mask-type both|merge|ggo]
 *   [--init <model dir> | --from-scratch] [--epochs N] [--max-steps N] [--time-budget-min M] [--lr X]
 *   [--weight-decay X] [--wd-mode decoupled|l2] [--seed N] [--min-size PX] [--tune N] [--out <dir>]
 *   [--segmenter <dir>] [--classes A,B] [--mode heads|heads+bn|full] [--checkpoint <dir>] [--resume]
 *   [--no-augment] [--cache-dir <dir>]
 * Segment: fine-tunes the base model (models/base, or --init) unless --from-scratch, with the recipe of
 * lib/model/train/recipes.ts and by default the product's budget (5 CPU-minutes); the last --tune slices of
 * the folder's training split (default 20 %) pick the best epoch and calibrate the proposal thresholds, and
 * the folder's fixed validation split, never seen in training, is measured at the end with those
 * thresholds. Classify: trains S on a segmenter. Saves the model directory and ends with one JSON line
 * holding the validation metrics.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultClassifierConfig, makeSegmenterConfig, MASK_TYPES, parseSegmenterConfig, PRESETS, type DeepPartial, type SegmenterConfig } from '@/lib/model/config';
import { openClassificationDataset, openSegmentationDataset, readSegmentationSample } from '@/lib/model/data/datasets';
import { evaluateSegmenter } from '@/lib/model/evaluate';
import { assignWeights, readModelDir, saveClassifier, saveSegmenter } from '@/lib/model/io';
import { initModelBackend } from '@/lib/model/runtime';
import { CLASSIFIER_RECIPES, DEFAULT_BUDGET_MIN, SEGMENTER_RECIPES } from '@/lib/model/train/recipes';
import { trainClassifier } from '@/lib/model/train/trainClassifier';
import { trainSegmenter } from '@/lib/model/train/trainSegmenter';
import type { ProgressEvent } from '@/lib/model/train/loop';
import { numberArg, oneOf, parseCli, usageExit } from './cliArgs';

const USAGE = `Usage: npm run train -- --data <dir> --task segment|classify --preset tiny|light|full
  [--mask-type both|merge|ggo] [--init <model dir> | --from-scratch] [--epochs N] [--max-steps N]
  [--time-budget-min M] (CPU minutes) [--lr X] [--weight-decay X] [--wd-mode decoupled|l2] [--seed N]
  [--min-size PX] [--tune N] [--out <dir>] [--segmenter <dir>] (classify: the trained segmenter)
  [--classes A,B] [--mode heads|heads+bn|full] [--checkpoint <dir>] [--resume] [--no-augment] [--cache-dir <dir>]`;

const { values: a } = parseCli(USAGE, {
  data: { type: 'string' }, task: { type: 'string' }, preset: { type: 'string' }, 'mask-type': { type: 'string' },
  init: { type: 'string' }, 'from-scratch': { type: 'boolean' }, tune: { type: 'string' },
  epochs: { type: 'string' }, 'max-steps': { type: 'string' }, 'time-budget-min': { type: 'string' }, lr: { type: 'string' },
  'weight-decay': { type: 'string' }, 'wd-mode': { type: 'string' }, seed: { type: 'string' }, 'min-size': { type: 'string' },
  out: { type: 'string' }, segmenter: { type: 'string' }, classes: { type: 'string' }, mode: { type: 'string' },
  checkpoint: { type: 'string' }, resume: { type: 'boolean' }, 'no-augment': { type: 'boolean' }, 'cache-dir': { type: 'string' },
  help: { type: 'boolean' },
});
if (a.help) { console.log(USAGE); process.exit(0); }
if (!a.data) usageExit(USAGE, '--data is required');
if (!fs.existsSync(a.data)) usageExit(USAGE, `--data ${a.data}: no such folder`);
const task = oneOf(USAGE, 'task', a.task, ['segment', 'classify'] as const, 'segment');
const preset = oneOf(USAGE, 'preset', a.preset, PRESETS, 'tiny');
const maskType = oneOf(USAGE, 'mask-type', a['mask-type'], MASK_TYPES, 'both');
const mode = oneOf(USAGE, 'mode', a.mode, ['heads', 'heads+bn', 'full'] as const, 'heads');
const wdMode = oneOf(USAGE, 'wd-mode', a['wd-mode'], ['decoupled', 'l2'] as const, 'decoupled');
const epochs = numberArg(USAGE, 'epochs', a.epochs, (n) => Number.isInteger(n) && n > 0);
const maxSteps = numberArg(USAGE, 'max-steps', a['max-steps'], (n) => Number.isInteger(n) && n > 0);
const timeMin = numberArg(USAGE, 'time-budget-min', a['time-budget-min']);
const seed = numberArg(USAGE, 'seed', a.seed, Number.isInteger) ?? 1;
const minSize = numberArg(USAGE, 'min-size', a['min-size'], (n) => Number.isInteger(n) && n >= 32);
const tuneArg = numberArg(USAGE, 'tune', a.tune, (n) => Number.isInteger(n) && n >= 0);
if (a.init && a['from-scratch']) usageExit(USAGE, '--init and --from-scratch exclude each other');
if (a.init && !fs.existsSync(a.init)) usageExit(USAGE, `--init ${a.init}: no such folder`);
if (task === 'classify' && !a.segmenter) usageExit(USAGE, '--segmenter <dir> (a trained segmenter) is required for --task classify');
const out = a.out ?? path.join('models', `${task}-${preset}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const BASE = path.join('models', 'base');

function progress(every: number) {
  let last = 0;
  return (e: ProgressEvent) => {
    if (e.step - last < every && e.step !== e.totalSteps) return;
    last = e.step;
    const losses = Object.entries(e.losses).map(([k, v]) => `${k.replace('loss_', '')}=${v.toFixed(4)}`).join(' ');
    const eta = e.etaS === null ? '?' : `${Math.round(e.etaS)}s`;
    console.log(`epoch ${e.epoch + 1} step ${e.step}${e.totalSteps ? `/${e.totalSteps}` : ''} ${losses} eta=${eta}`);
  };
}

/** The budget: what was asked, else the product's default (CPU minutes for a segmenter, epochs for S). */
function budget(defaults: { epochs?: number; timeMin?: number }) {
  if (epochs || maxSteps || timeMin) return { epochs, maxSteps, timeBudgetS: timeMin ? timeMin * 60 : undefined };
  return { epochs: defaults.epochs, timeBudgetS: defaults.timeMin ? defaults.timeMin * 60 : undefined };
}

async function segment() {
  const ds = openSegmentationDataset(a.data!);
  const overrides: DeepPartial<SegmenterConfig> = minSize ? { transform: { minSize, maxSize: 2 * minSize } } : {};
  const config = makeSegmenterConfig(preset, maskType, overrides);
  const initDir = a['from-scratch'] ? null : a.init ?? (fs.existsSync(BASE) ? BASE : null);
  const init = initDir ? readModelDir(initDir) : null;
  const recipe = init ? SEGMENTER_RECIPES.fineTune : SEGMENTER_RECIPES.fromScratch;
  const lr = numberArg(USAGE, 'lr', a.lr) ?? recipe.lr;
  const weightDecay = numberArg(USAGE, 'weight-decay', a['weight-decay'], (n) => n >= 0) ?? recipe.weightDecay;
  // the tuning slices come off the end of the training split, which runs in file order (Zenodo: volume by volume)
  const nTune = tuneArg ?? Math.round(ds.train.length * 0.2);
  const train = ds.train.slice(0, ds.train.length - nTune), tune = ds.train.slice(ds.train.length - nTune);
  const options = { ...recipe, seed, lr, weightDecay, weightDecayMode: wdMode, ...(a['no-augment'] ? { augment: false as const } : {}), ...budget({ timeMin: DEFAULT_BUDGET_MIN.segmenter }) };
  console.log(`segmenter ${preset}/${maskType} ${init ? `fine-tuned from ${initDir}` : 'from scratch'}: ${train.length} train / ${tune.length} tune / ${ds.val.length} val slices (${ds.format}), lr ${lr}, wd ${weightDecay} (${wdMode})`);
  const t0 = Date.now();
  const r = await trainSegmenter({
    config, train, val: tune, options, signal: ctrl.signal, checkpointDir: a.checkpoint, resume: a.resume, onProgress: progress(10),
    initialise: init ? (model) => assignWeights(init, model.ps) : undefined,
    summary: { dataDir: path.resolve(a.data!), task, init: initDir },
    onEpoch: ({ epoch, val }) => val && console.log(`epoch ${epoch + 1} tune maskAP50 ${JSON.stringify(val.maskAP50)} best dice ${JSON.stringify(val.bestDice)}`),
  });
  const thresholds = r.lastVal?.bestThresholds;
  const val = ds.val.length ? await evaluateSegmenter(r.model, await Promise.all(ds.val.map(readSegmentationSample)), { thresholds }) : null;
  const summary = {
    dataDir: path.resolve(a.data!), init: initDir, trainCount: train.length, tuneCount: tune.length, valCount: ds.val.length, steps: r.steps, seed, lr,
    trainSeconds: Math.round((Date.now() - t0) / 1000), stopped: r.reason, ...(val ? { metrics: val.summary } : {}), ...(r.lastVal ? { tuneMetrics: r.lastVal.summary } : {}),
  };
  const sum = saveSegmenter(out, r.model, summary, { proposalThresholds: thresholds });
  console.log(`saved ${out} (sha256 ${sum.slice(0, 12)}…), ${r.steps} steps, stopped: ${r.reason}`);
  if (val) console.log(`val (${val.numSlices} slices, never trained on): maskAP50 ${JSON.stringify(val.maskAP50)} dice ${JSON.stringify(val.dice)} at thresholds ${JSON.stringify(thresholds)}`);
  console.log(JSON.stringify({ model: out, steps: r.steps, ...(val?.summary ?? {}) }));
}

async function classify() {
  const md = readModelDir(a.segmenter!);
  const segCfg = parseSegmenterConfig(md.config);
  const ds = openClassificationDataset(a.data!, a.classes?.split(',').map((s) => s.trim()));
  const config = { ...defaultClassifierConfig(segCfg, ds.classNames), mode };
  const recipe = mode === 'heads' ? CLASSIFIER_RECIPES.heads : CLASSIFIER_RECIPES.full;
  const lr = numberArg(USAGE, 'lr', a.lr) ?? recipe.lr;
  const weightDecay = numberArg(USAGE, 'weight-decay', a['weight-decay'], (n) => n >= 0) ?? recipe.weightDecay;
  const options = { ...recipe, seed, lr, weightDecay, weightDecayMode: wdMode, ...budget({ epochs: mode === 'heads' ? 50 : 10 }) };
  console.log(`classifier S (${mode}) on ${a.segmenter}: classes ${ds.classNames.join(', ')}; ${ds.train.length} train / ${ds.val.length} val slices, lr ${lr}`);
  const t0 = Date.now();
  const r = await trainClassifier({
    config, segmenterDir: a.segmenter!, train: ds.train, val: ds.val, options, signal: ctrl.signal,
    cacheDir: a['cache-dir'] ?? path.join('models', '.feature-cache'), onProgress: progress(20),
    onEpoch: ({ epoch, val }) => val && console.log(`epoch ${epoch + 1} val accuracy ${val.accuracy} sensitivity ${JSON.stringify(val.sensitivity)}`),
  });
  const sum = saveClassifier(out, r.model, { ...r.summary, dataDir: path.resolve(a.data!), lr, trainSeconds: Math.round((Date.now() - t0) / 1000), stopped: r.reason });
  console.log(`saved ${out} (sha256 ${sum.slice(0, 12)}…), ${r.steps} steps, stopped: ${r.reason}`);
  console.log(JSON.stringify({ model: out, steps: r.steps, ...(r.lastVal?.summary ?? {}) }));
}

const ctrl = new AbortController();
process.on('SIGINT', () => { console.log('stopping after this step (Ctrl-C again to quit)…'); if (ctrl.signal.aborted) process.exit(130); ctrl.abort(); });

initModelBackend()
  .then(() => (task === 'segment' ? segment() : classify()))
  .catch((err) => { console.error(`Error: ${(err as Error).message}`); process.exit(1); });
