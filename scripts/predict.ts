/**
 * npm run predict -- --model <dir | model.onnx> [--backend onnxruntime|wasm] [--classifier <dir>] [--out <png|folder>]
 *                    [--json <file>] [--score-threshold <t>] [--mask-threshold <t>] <image | folder>
 * Segments one slice, or every image of a folder (natural name order), with a trained model. Per slice it prints
 * the instances, slice class probabilities (classifier) and uncertainty; `--json` writes them all to one file
 * (lib/model/predictionRecord.ts) for scoring with other tools. Overlay PNGs (GGO yellow, C red, merged lesion
 * orange): for one image beside it or at --out; for a folder only into the folder --out names.
 * Detections are proposed with the model's calibrated proposal thresholds (its manifest), or with the same
 * --score-threshold / --mask-threshold for every class. A classifier directory also works as --model: its
 * trunk is a full segmenter (it runs on wasm). The segmenter runs on onnxruntime unless --backend wasm (falling back
 * to wasm with one log line when onnxruntime cannot load); an exported model.onnx (npm run export -- --format onnx)
 * runs on onnxruntime with the thresholds and config of its model.json sidecar.
 * Every input is checked (and every image decoded) before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { listImages } from '@/lib/import/discover';
import type { CovidCtMaskNet } from '@/lib/model/classifierS';
import { INFERENCE_BACKENDS, isOnnxFile, openSegmenter } from '@/lib/model/inferenceBackend';
import type { GreySlice } from '@/lib/model/data/augment';
import { readGreySlice } from '@/lib/model/data/datasets';
import { loadModel, readModelDir } from '@/lib/model/io';
import { predictWith, type Segmenter } from '@/lib/model/predict';
import { sliceRecord, type PredictionsFile, type SliceRecord } from '@/lib/model/predictionRecord';
import { initModelBackend } from '@/lib/model/runtime';
import { overrideAllClasses, proposalThresholdsOf } from '@/lib/models/thresholds';
import { numberArg, oneOf, parseCli, usageExit } from './cliArgs';

const USAGE = 'Usage: npm run predict -- --model <dir | model.onnx> [--backend onnxruntime|wasm] [--classifier <dir>] [--out <overlay.png | folder>] [--json <file>] [--score-threshold <0..1>] [--mask-threshold <0..1>] <image | folder>';
const { values: a, positionals } = parseCli(USAGE, {
  model: { type: 'string' }, backend: { type: 'string' }, classifier: { type: 'string' }, out: { type: 'string' }, json: { type: 'string' },
  'score-threshold': { type: 'string' }, 'mask-threshold': { type: 'string' }, help: { type: 'boolean' },
});
if (a.help) { console.log(USAGE); process.exit(0); }
if (!a.model) usageExit(USAGE, '--model is required');
if (positionals.length !== 1) usageExit(USAGE, `expected exactly one image or folder, got ${positionals.length}`);
const input = positionals[0];
for (const [name, p] of [['--model', a.model], ['image or folder', input], ['--classifier', a.classifier]] as const) {
  if (p !== undefined && !fs.existsSync(p)) usageExit(USAGE, `${name} ${p}: not found`);
}
const backend = oneOf(USAGE, 'backend', a.backend, INFERENCE_BACKENDS, 'onnxruntime');
if (isOnnxFile(a.model) && backend === 'wasm') usageExit(USAGE, `--model ${a.model} is an ONNX export: it runs on onnxruntime only (give the model folder for --backend wasm)`);
const scoreThreshold = numberArg(USAGE, 'score-threshold', a['score-threshold'], (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
const maskThreshold = numberArg(USAGE, 'mask-threshold', a['mask-threshold'], (n) => n > 0 && n < 1, 'a number strictly between 0 and 1');
const isDir = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
const folderInput = isDir(input);
if (folderInput && a.out !== undefined && fs.existsSync(a.out) && !isDir(a.out)) usageExit(USAGE, `--out ${a.out}: for a folder of images, --out names a folder for the overlays`);
if (!folderInput && a.out !== undefined && !isDir(a.out) && !isDir(path.dirname(path.resolve(a.out)))) usageExit(USAGE, `--out ${a.out}: its folder does not exist`);
if (a.json !== undefined) {
  if (isDir(a.json)) usageExit(USAGE, `--json ${a.json}: is a folder; name the file to write`);
  if (!isDir(path.dirname(path.resolve(a.json)))) usageExit(USAGE, `--json ${a.json}: its folder does not exist`);
}

const COLOURS: Record<string, [number, number, number]> = { GGO: [255, 215, 0], C: [230, 30, 30], lesion: [255, 140, 0] };

/** The slice in grey with each labelled pixel tinted by its class. */
function overlayPng(slice: GreySlice, labelMap: Uint8Array, classNames: string[]): Promise<Buffer> {
  const { width, height } = slice;
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const g = Math.round(slice.pixels[i] * 255);
    const label = labelMap[i];
    const c = label ? COLOURS[classNames[label - 1]] ?? [0, 200, 255] : null;
    for (let k = 0; k < 3; k++) rgb[3 * i + k] = c ? Math.round(0.55 * g + 0.45 * c[k]) : g;
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Where an image's overlay goes, or null for none. */
function overlayPath(image: string): string | null {
  const name = `${path.parse(image).name}.overlay.png`;
  if (folderInput) return a.out === undefined ? null : path.join(a.out, name);
  if (a.out === undefined) return path.join(path.dirname(image), name);
  return isDir(a.out) ? path.join(a.out, name) : a.out;
}

/** The images to predict, each decoded once here so that a bad one stops the run before anything is written. */
async function inputImages(): Promise<string[]> {
  // `x.overlay.png` beside an image is this command's own output, not a slice
  const images = folderInput ? (await listImages(input)).filter((f) => !f.endsWith('.overlay.png')) : [input];
  if (images.length === 0) usageExit(USAGE, `${input}: the folder holds no images (png, jpg)`);
  for (const file of images) {
    try {
      await readGreySlice(file);
    } catch (err) {
      usageExit(USAGE, `${file}: not a readable image (${(err as Error).message})`);
    }
  }
  return images;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

async function main() {
  const images = await inputImages();
  await initModelBackend();
  let segmenter: Segmenter;
  let classifier: CovidCtMaskNet | undefined;
  let stored: { sha256: string; proposalThresholds?: unknown };
  if (isOnnxFile(a.model!)) {
    const opened = await openSegmenter(a.model!, { backend });
    segmenter = opened.segmenter;
    stored = { sha256: opened.sidecar!.source.weightsSha256, proposalThresholds: opened.sidecar!.thresholds };
  } else {
    const { manifest } = readModelDir(a.model!);
    stored = manifest;
    if (manifest.kind === 'classifier') {
      const loaded = loadModel(a.model!);
      if (loaded.kind !== 'classifier') throw new Error(`${a.model}: expected a classifier`);
      classifier = loaded.model;
      segmenter = loaded.model.segmenter;
      console.error('[model] inference backend=wasm — a classifier folder\'s segmenter runs inside the classifier');
    } else {
      segmenter = (await openSegmenter(a.model!, { backend })).segmenter;
    }
  }
  if (a.classifier) {
    const c = loadModel(a.classifier);
    if (c.kind !== 'classifier') usageExit(USAGE, `--classifier ${a.classifier} holds a segmenter`);
    classifier = c.model;
  }
  const classNames = segmenter.config.classNames;
  const calibrated = proposalThresholdsOf({ proposalThresholds: stored.proposalThresholds, thresholdOverrides: null }, classNames);
  const thresholds = overrideAllClasses(calibrated, { score: scoreThreshold, mask: maskThreshold });
  if (folderInput && a.out !== undefined) fs.mkdirSync(a.out, { recursive: true });

  const slices: SliceRecord[] = [];
  for (const image of images) {
    const slice = await readGreySlice(image);
    const t0 = Date.now();
    const p = await predictWith(segmenter, slice, classifier, { thresholds });
    const ms = Date.now() - t0;
    const record = sliceRecord(image, p);
    slices.push(record);
    const overlay = overlayPath(image);
    if (overlay) await fs.promises.writeFile(overlay, await overlayPng(slice, p.labelMap, classNames));
    console.log(`${image}: ${p.instances.length} instances, ${ms} ms${overlay ? `; wrote ${overlay}` : ''}`);
    if (!folderInput) {
      console.log(JSON.stringify({
        overlay,
        instances: record.instances.map((d) => ({ ...d, polygons: d.polygons.length })),
        sliceProbabilities: p.sliceProbabilities, uncertainty: p.uncertainty, ms,
      }));
    }
  }
  if (a.json !== undefined) {
    const file: PredictionsFile = { model: { dir: a.model!, sha256: stored.sha256, classNames, thresholds }, slices };
    writeAtomic(a.json, JSON.stringify(file));
    console.log(`wrote ${a.json} (${slices.length} slice(s))`);
  }
}

main().catch((err) => { console.error(`Error: ${(err as Error).message}`); process.exit(1); });
