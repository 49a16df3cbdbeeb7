/**
 * npm run pretrain -- [--data <dir>] [--out <dir>] [--steps N] [--seed N] [--preset tiny|light]
 * Trains the base segmenter the product ships (models/base) on the public data of ../shared/data
 * (lib/model/train/pretrain.ts): Zenodo merged lesions 0000–0599 and MedSeg GGO/C slices 1–32 of the 40
 * training slices train; MedSeg training slices 33–40 choose the best epoch and calibrate the proposal
 * thresholds; the Zenodo validation range (0600–0788) and the 10 MedSeg validation slices are only
 * measured, at the end. Deterministic for a seed and step count (wasm, one thread). Saves float16 weights
 * with the thresholds, the data summary, the metrics and this command; the last line is one JSON object.
 */
import fs from 'node:fs';
import path from 'node:path';
import { presetConfig } from '@/lib/model/config';
import { openSegmentationDataset, readSegmentationSample } from '@/lib/model/data/datasets';
import { evenlySpaced } from '@/lib/al/simulate';
import { evaluateSegmenter } from '@/lib/model/evaluate';
import { saveSegmenter } from '@/lib/model/io';
import { initModelBackend } from '@/lib/model/runtime';
import type { ProgressEvent } from '@/lib/model/train/loop';
import { classRepeats, pretrainSegmenter } from '@/lib/model/train/pretrain';
import { SEGMENTER_RECIPES } from '@/lib/model/train/recipes';
import { numberArg, oneOf, parseCli, usageExit } from './cliArgs';

const USAGE = `Usage: npm run pretrain -- [--data <dir>] [--out <dir>] [--steps N] [--seed N] [--preset tiny|light] [--without zenodo|medseg]
  --without   leave one data set out entirely: a base for the active-learning simulation on that set (npm run al:simulate -- --base <dir>),
              which must start from a model that has never seen its pool. Without MedSeg, keep-best tunes on 40 Zenodo validation slices.`;
const { values: a } = parseCli(USAGE, {
  data: { type: 'string' }, out: { type: 'string' }, steps: { type: 'string' }, seed: { type: 'string' }, preset: { type: 'string' },
  checkpoint: { type: 'string' }, resume: { type: 'boolean' }, without: { type: 'string' }, help: { type: 'boolean' },
});
if (a.help) { console.log(USAGE); process.exit(0); }
const dataDir = a.data ?? process.env.CT_DATA_DIR ?? path.join('..', 'shared', 'data');
const zenodoDir = path.join(dataDir, 'zenodo-lesion-256');
const medsegDir = path.join(dataDir, 'medseg-ggo-c');
for (const d of [zenodoDir, medsegDir]) if (!fs.existsSync(d)) usageExit(USAGE, `${d} not found: --data names the folder holding zenodo-lesion-256/ and medseg-ggo-c/`);
const out = a.out ?? path.join('models', 'base');
const steps = numberArg(USAGE, 'steps', a.steps, (n) => Number.isInteger(n) && n > 0) ?? 24000;
const seed = numberArg(USAGE, 'seed', a.seed, Number.isInteger) ?? 1;
const preset = oneOf(USAGE, 'preset', a.preset, ['tiny', 'light'] as const, 'tiny');
const without = a.without === undefined ? null : oneOf(USAGE, 'without', a.without, ['zenodo', 'medseg'] as const, 'zenodo');
if (without && !a.out) usageExit(USAGE, '--without needs --out: models/base is the shipped model, trained on both sets');
/** MedSeg training slices held out to pick the epoch and calibrate thresholds. */
const TUNE = 8;

function progress() {
  let last = 0;
  return (e: ProgressEvent) => {
    if (e.step - last < 100) return;
    last = e.step;
    const losses = Object.entries(e.losses).map(([k, v]) => `${k.replace('loss_', '')}=${v.toFixed(4)}`).join(' ');
    console.error(`step ${e.step}/${e.totalSteps} ${losses} eta=${e.etaS === null ? '?' : `${Math.round(e.etaS)}s`}`);
  };
}

async function main() {
  await initModelBackend();
  const zenodo = openSegmentationDataset(zenodoDir);
  const medseg = openSegmentationDataset(medsegDir);
  const medTrain = without === 'medseg' ? [] : medseg.train.slice(0, medseg.train.length - TUNE);
  const zenTrain = without === 'zenodo' ? [] : zenodo.train;
  // The tuning slices pick the epoch and calibrate thresholds: MedSeg's last training slices, or, for a base that
  // must not see MedSeg, slices of the Zenodo validation range (merged lesions: calibration in the merged view).
  const tune = without === 'medseg' ? evenlySpaced(zenodo.val, 40) : medseg.train.slice(-TUNE);
  const config = presetConfig(preset, 'both');
  const command = `npm run pretrain -- --steps ${steps} --seed ${seed} --preset ${preset}${without ? ` --without ${without} --out ${out}` : ''}`;
  console.error(`pretraining ${preset}/both for ${steps} steps: ${zenTrain.length} Zenodo merged-lesion slices + ${medTrain.length} MedSeg GGO/C slices ×${classRepeats(zenTrain.length, medTrain.length)}; tuning on ${tune.length} slices`);
  const t0 = Date.now();
  const r = await pretrainSegmenter(config, { merged: zenTrain, classes: medTrain, tune }, {
    seed, maxSteps: steps, onProgress: progress(), checkpointDir: a.checkpoint, resume: a.resume,
    onEpoch: ({ epoch, val }) => val && console.error(`epoch ${epoch + 1}: tune AP@0.5 ${JSON.stringify(val.maskAP50)} best Dice ${JSON.stringify(val.bestDice)}`),
  });
  const thresholds = r.lastVal!.bestThresholds;
  const load = async (refs: typeof zenodo.val) => Promise.all(refs.map(readSegmentationSample));
  const zenodoVal = await evaluateSegmenter(r.model, await load(zenodo.val), { thresholds });
  const medsegVal = await evaluateSegmenter(r.model, await load(medseg.val), { thresholds });
  const summary = {
    command, preset, seed, steps: r.steps, trainSeconds: Math.round((Date.now() - t0) / 1000),
    recipe: SEGMENTER_RECIPES.pretrain,
    data: {
      merged: { dir: 'zenodo-lesion-256', files: zenTrain.length ? `${zenTrain[0].id}–${zenTrain.at(-1)!.id}` : '', count: zenTrain.length },
      classes: { dir: 'medseg-ggo-c', files: medTrain.map((r) => r.id).join(','), count: medTrain.length, repeats: classRepeats(zenTrain.length, medTrain.length) },
      tune: { dir: without === 'medseg' ? 'zenodo-lesion-256' : 'medseg-ggo-c', files: tune.map((r) => r.id).join(','), count: tune.length },
      without,
      heldOut: { zenodo: `${zenodo.val[0].id}–${zenodo.val.at(-1)!.id}`, medseg: medseg.val.map((r) => r.id).join(',') },
    },
    metrics: { tune: r.lastVal!.summary, zenodoVal: zenodoVal.summary, medsegVal: medsegVal.summary },
  };
  const checksum = saveSegmenter(out, r.model, summary, { dtype: 'float16', proposalThresholds: thresholds });
  console.error(`saved ${out} (sha256 ${checksum.slice(0, 12)}…, ${(fs.statSync(path.join(out, 'weights.bin')).size / 1e6).toFixed(2)} MB)`);
  console.error(`Zenodo val (merged): AP@0.5 ${zenodoVal.maskAP50.mean} Dice ${zenodoVal.dice.mean}; MedSeg val: AP@0.5 ${JSON.stringify(medsegVal.maskAP50)} Dice ${JSON.stringify(medsegVal.dice)}`);
  console.log(JSON.stringify({ model: out, sha256: checksum, steps: r.steps, thresholds, zenodoVal: zenodoVal.summary, medsegVal: medsegVal.summary }));
}

main().catch((err) => { console.error(`Error: ${(err as Error).message}`); process.exit(1); });
