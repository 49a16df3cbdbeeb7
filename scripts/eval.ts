/**
 * npm run eval -- --model <dir | model.onnx> --data <dir> [--backend onnxruntime|wasm] [--split val|train|all] [--cache-dir <dir>]
 * Evaluates a segmenter (mask AP@0.5/0.75/mAP per class; Dice of its proposals at the thresholds stored
 * with the model, and the best Dice any thresholds reach on these slices) or a classifier (sensitivity,
 * precision, accuracy, confusion matrix) on the folder's fixed split; the last line is one JSON object
 * with every metric printed. A segmenter runs on onnxruntime unless --backend wasm (falling back to wasm with one
 * log line when onnxruntime cannot load); an exported model.onnx is evaluated with its sidecar's thresholds.
 */
import fs from 'node:fs';
import { openClassificationDataset, openSegmentationDataset, readSegmentationSample } from '@/lib/model/data/datasets';
import { classificationReport, evaluateSegmenter } from '@/lib/model/evaluate';
import { proposalQuality } from '@/lib/annotations/proposalQuality';
import { regionProposals } from '@/lib/annotations/proposals';
import { INFERENCE_BACKENDS, isOnnxFile, openSegmenter } from '@/lib/model/inferenceBackend';
import { loadModel, readModelDir } from '@/lib/model/io';
import { predictWith } from '@/lib/model/predict';
import { initModelBackend } from '@/lib/model/runtime';
import { cachedRankedFeatures } from '@/lib/model/train/trainClassifier';
import * as tf from '@tensorflow/tfjs';
import { oneOf, parseCli, usageExit } from './cliArgs';

const USAGE = 'Usage: npm run eval -- --model <dir | model.onnx> --data <dir> [--backend onnxruntime|wasm] [--split val|train|all] [--cache-dir <dir>]';
const { values: a } = parseCli(USAGE, { model: { type: 'string' }, data: { type: 'string' }, backend: { type: 'string' }, split: { type: 'string' }, 'cache-dir': { type: 'string' }, help: { type: 'boolean' } });
if (a.help) { console.log(USAGE); process.exit(0); }
if (!a.model) usageExit(USAGE, '--model is required');
if (!a.data) usageExit(USAGE, '--data is required');
if (!fs.existsSync(a.model)) usageExit(USAGE, `--model ${a.model}: not found`);
if (!fs.existsSync(a.data)) usageExit(USAGE, `--data ${a.data}: no such folder`);
const backend = oneOf(USAGE, 'backend', a.backend, INFERENCE_BACKENDS, 'onnxruntime');
if (isOnnxFile(a.model) && backend === 'wasm') usageExit(USAGE, `--model ${a.model} is an ONNX export: it runs on onnxruntime only (give the model folder for --backend wasm)`);
const split = oneOf(USAGE, 'split', a.split, ['val', 'train', 'all'] as const, 'val');
const pick = <T>(d: { train: T[]; val: T[] }) => (split === 'val' ? d.val : split === 'train' ? d.train : [...d.train, ...d.val]);

/** Mask AP, Dice and the proposal outlines of a segmenter (either backend) on the split. */
async function evaluateSegmenterCli(): Promise<void> {
  const t0 = Date.now();
  const opened = await openSegmenter(a.model!, { backend });
  const segmenter = opened.segmenter;
  try {
    const refs = pick(openSegmentationDataset(a.data!));
    const slices = [];
    for (const r of refs) slices.push(await readSegmentationSample(r));
    const thresholds = opened.sidecar ? opened.sidecar.thresholds : readModelDir(a.model!).manifest.proposalThresholds;
    const rep = await evaluateSegmenter(segmenter, slices, { thresholds });
    console.log(`${refs.length} slices (${split}, ${rep.view} view), ${((Date.now() - t0) / 1000).toFixed(1)} s on ${opened.backend}; proposal thresholds ${thresholds ? 'stored with the model' : 'default'}`);
    for (const k of ['maskAP50', 'maskAP75', 'mAP', 'dice', 'thresholds', 'bestDice', 'bestThresholds', 'proposalsPerSlice', 'lesionSlicesWithProposal'] as const) console.log(`${k.padEnd(24)} ${JSON.stringify(rep[k])}`);
    // what an annotator is shown: the outlines the score job stores, against the true lesion pixels
    const shown = [];
    for (const s of slices) {
      const p = await predictWith(segmenter, s.image, undefined, { thresholds, polygons: false });
      shown.push({ proposals: regionProposals(p, segmenter.config.classNames), truth: s.labels, width: s.image.width, height: s.image.height });
    }
    const proposals = proposalQuality(shown);
    console.log(`${'proposal outlines'.padEnd(24)} ${JSON.stringify(proposals)}`);
    console.log(JSON.stringify({ ...rep.summary, backend: opened.backend, proposalOutlines: proposals }));
  } finally {
    segmenter.dispose();
  }
}

/** Sensitivity, precision and accuracy of a classifier (TensorFlow.js) on the split. */
async function evaluateClassifierCli(): Promise<void> {
  const t0 = Date.now();
  const loaded = loadModel(a.model!);
  if (loaded.kind !== 'classifier') throw new Error(`${a.model}: expected a classifier`);
  const model = loaded.model;
  const refs = pick(openClassificationDataset(a.data!, model.config.classNames));
  const checksum = readModelDir(a.model!).manifest.training.segmenterChecksum ?? 'unknown';
  const predicted: number[] = [];
  for (const r of refs) {
    // heads mode: the trunk is the segmenter's, so training's feature cache applies
    const f = await cachedRankedFeatures(model, r.image, checksum, model.config.mode === 'heads' ? (a['cache-dir'] ?? 'models/.feature-cache') : undefined);
    predicted.push(tf.tidy(() => tf.argMax(model.s(tf.tensor2d(f, [1, f.length])), 1).dataSync()[0]));
  }
  const rep = classificationReport(refs.map((r) => r.label), predicted, model.config.classNames);
  console.log(`${refs.length} slices (${split}), ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`accuracy ${rep.accuracy}`);
  for (const c of rep.classNames) console.log(`${c.padEnd(12)} sensitivity ${rep.sensitivity[c]} precision ${rep.precision[c]}`);
  console.log(`confusion (rows true, cols predicted; ${rep.classNames.join(', ')}): ${JSON.stringify(rep.confusion)}`);
  console.log(JSON.stringify(rep.summary));
}

async function main() {
  await initModelBackend();
  if (isOnnxFile(a.model!) || readModelDir(a.model!).manifest.kind === 'segmenter') await evaluateSegmenterCli();
  else await evaluateClassifierCli();
}

main().catch((err) => { console.error(`Error: ${(err as Error).message}`); process.exit(1); });
