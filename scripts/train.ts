/**
 * npm run train -- --data <dir> --task segment|classify --preset tiny|light|full [--mask-type both|merge|ggo]
 *   [--epochs N] [--max-steps N] [--time-budget-min M] [--lr X] [--weight-decay X] [--wd-mode decoupled|l2]
 *   [--seed N] [--min-size PX] [--out <dir>] [--segmenter <dir>] [--classes A,B] [--mode heads|heads+bn|full]
 *   [--checkpoint <dir>] [--resume] [--no-augment] [--cache-dir <dir>]
 * Trains, validates each epoch on the folder's fixed split, saves the model directory, and ends with one
 * JSON line holding the last validation metrics.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultClassifierConfig, makeSegmenterConfig, MASK_TYPES, parseSegmenterConfig, PRESETS, type DeepPartial, type SegmenterConfig } from '@/lib/model/config';
import { openClassificationDataset, openSegmentationDataset } from '@/lib/model/data/datasets';
import { readModelDir, saveClassifier, saveSegmenter } from '@/lib/model/io';
import { initModelBackend } from '@/lib/model/runtime';
import { trainClassifier } from '@/lib/model/train/trainClassifier';
import { trainSegmenter } from '@/lib/model/train/trainSegmenter';
import type { ProgressEvent } from '@/lib/model/train/loop';
import { numberArg, oneOf, parseCli, usageExit } from './cliArgs';

const USAGE = `Usage: npm run train -- --data <dir> --task segment|classify --preset tiny|light|full
  [--mask-type both|merge|ggo] [--epochs N] [--max-steps N] [--time-budget-min M] [--lr X]
  [--weight-decay X] [--wd-mode decoupled|l2] [--seed N] [--min-size PX] [--out <dir>]
  [--segmenter <dir>] (classify: the trained segmenter) [--classes A,B] [--mode heads|heads+bn|full]
  [--checkpoint <dir>] [--resume] [--no-augment] [--cache-dir <dir>]`;

const { values: a } = parseCli(USAGE, {
  data: { type: 'string' }, task: { type: 'string' }, preset: { type: 'string' }, 'mask-type': { type: 'string' },
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
// From-scratch training needs far more than the paper's fine-tuning rate of 1e-5 (model-spec).
const lr = numberArg(USAGE, 'lr', a.lr) ?? (task === 'segment' ? 1e-3 : 1e-4);
const weightDecay = numberArg(USAGE, 'weight-decay', a['weight-decay'], (n) => n >= 0) ?? 1e-3;
const seed = numberArg(USAGE, 'seed', a.seed, Number.isInteger) ?? 1;
const minSize = numberArg(USAGE, 'min-size', a['min-size'], (n) => Number.isInteger(n) && n >= 32);
if (task === 'classify' && !a.segmenter) usageExit(USAGE, '--segmenter <dir> (a trained segmenter) is required for --task classify');
const out = a.out ?? path.join('models', `${task}-${preset}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const budget = { epochs, maxSteps, timeBudgetS: timeMin ? timeMin * 60 : undefined };
if (!epochs && !maxSteps && !timeMin) budget.epochs = task === 'segment' ? 20 : 50;

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

async function main() {
  await initModelBackend();
  const ctrl = new AbortController();
  process.on('SIGINT', () => { console.log('stopping after this step (Ctrl-C again to quit)…'); if (ctrl.signal.aborted) process.exit(130); ctrl.abort(); });
  const options = { seed, lr, weightDecay, weightDecayMode: wdMode, augment: !a['no-augment'], ...budget };
  if (task === 'segment') {
    const ds = openSegmentationDataset(a.data!);
    const overrides: DeepPartial<SegmenterConfig> = minSize ? { transform: { minSize, maxSize: 2 * minSize } } : {};
    const config = makeSegmenterConfig(preset, maskType, overrides);
    console.log(`segmenter ${preset}/${maskType}: ${ds.train.length} train / ${ds.val.length} val slices (${ds.format}), lr ${lr}, wd ${weightDecay} (${wdMode})`);
    const t0 = Date.now();
    const r = await trainSegmenter({
      config, train: ds.train, val: ds.val, options, signal: ctrl.signal, checkpointDir: a.checkpoint, resume: a.resume, keepBest: true,
      onProgress: progress(10), summary: { dataDir: path.resolve(a.data!), task },
      onEpoch: ({ epoch, val }) => val && console.log(`epoch ${epoch + 1} val maskAP50 ${JSON.stringify(val.maskAP50)} dice ${JSON.stringify(val.dice)}`),
    });
    const summary = { dataDir: path.resolve(a.data!), trainCount: ds.train.length, valCount: ds.val.length, steps: r.steps, seed, lr, trainSeconds: Math.round((Date.now() - t0) / 1000), stopped: r.reason, ...(r.lastVal ? { metrics: r.lastVal.summary } : {}) };
    const sum = saveSegmenter(out, r.model, summary);
    console.log(`saved ${out} (sha256 ${sum.slice(0, 12)}…), ${r.steps} steps, stopped: ${r.reason}`);
    console.log(JSON.stringify({ model: out, steps: r.steps, ...(r.lastVal?.summary ?? {}) }));
  } else {
    const md = readModelDir(a.segmenter!);
    const segCfg = parseSegmenterConfig(md.config);
    const ds = openClassificationDataset(a.data!, a.classes?.split(',').map((s) => s.trim()));
    const config = { ...defaultClassifierConfig(segCfg, ds.classNames), mode };
    console.log(`classifier S (${mode}) on ${a.segmenter}: classes ${ds.classNames.join(', ')}; ${ds.train.length} train / ${ds.val.length} val slices`);
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
}

main().catch((err) => { console.error(`Error: ${(err as Error).message}`); process.exit(1); });
