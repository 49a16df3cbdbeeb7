/**
 * End to end: the shipped base model (models/base, a real trained version) exported to ONNX and run by
 * onnxruntime gives what the TensorFlow.js model gives on wasm, after NMS: the same detections, boxes within
 * 0.5 px, scores within 1e-3, pasted-mask IoU ≥ 0.99, on sample MedSeg slices (a synthetic slice when the
 * shared data is absent). The figures are printed for the record.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSegmentationDataset, readSegmentationSample } from '../data/datasets';
import type { GreySlice } from '../data/augment';
import { loadSegmenter } from '../io';
import type { MaskRcnn } from '../maskRcnn';
import { predict, predictWith, type SlicePrediction } from '../predict';
import { useTestBackend } from '../train/testBackend';
import { repoRoot, sharedDataDir } from '@/lib/testing/paths';
import { exportOnnx } from './exportOnnx';
import { OnnxSegmenter } from './session';

const BASE = path.join(repoRoot, 'models', 'base');
const SLICES = 4;

async function sampleSlices(): Promise<{ id: string; image: GreySlice }[]> {
  const dir = path.join(sharedDataDir(), 'medseg-ggo-c');
  if (fs.existsSync(dir)) {
    const refs = openSegmentationDataset(dir).val.slice(0, SLICES);
    return Promise.all(refs.map(async (r) => ({ id: r.id, image: (await readSegmentationSample(r)).image })));
  }
  const w = 300, h = 260;
  const pixels = Float32Array.from({ length: w * h }, (_, i) => (((i % w) - 150) ** 2 + (Math.floor(i / w) - 130) ** 2 < 90 ** 2 ? 0.15 + 0.5 * (((i * 7919) % 97) / 97) : 0.6));
  return [{ id: 'synthetic', image: { width: w, height: h, pixels } }];
}

function maskIoU(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) { if (a[i] && b[i]) inter++; if (a[i] || b[i]) union++; }
  return union === 0 ? 1 : inter / union;
}

/** Worst-case differences between two predictions of the same slice, detection by detection (both in score order). */
function compare(wasm: SlicePrediction, onnx: SlicePrediction) {
  expect(onnx.instances.map((d) => d.label)).toEqual(wasm.instances.map((d) => d.label));
  let box = 0, score = 0, iou = 1;
  wasm.instances.forEach((d, i) => {
    const o = onnx.instances[i];
    for (let k = 0; k < 4; k++) box = Math.max(box, Math.abs(d.box[k] - o.box[k]));
    score = Math.max(score, Math.abs(d.score - o.score));
    iou = Math.min(iou, maskIoU(d.mask!, o.mask!));
  });
  return { box, score, iou, detections: wasm.instances.length };
}

describe('ONNX export of models/base on onnxruntime matches the TensorFlow.js model on wasm', () => {
  let wasm: MaskRcnn;
  let onnx: OnnxSegmenter;
  let slices: { id: string; image: GreySlice }[];
  let tmp: string;

  beforeAll(async () => {
    await useTestBackend();
    wasm = loadSegmenter(BASE);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-parity-'));
    // through the written files and sidecar, as `npm run predict -- --model model.onnx` reads them
    exportOnnx(BASE, path.join(tmp, 'model.onnx'));
    onnx = (await OnnxSegmenter.fromFile(path.join(tmp, 'model.onnx'), { ort, threads: 1 })).segmenter;
    slices = await sampleSlices();
  }, 120_000);

  afterAll(() => {
    wasm?.dispose();
    onnx?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('gives the same detections: boxes within 0.5 px, scores within 1e-3, mask IoU ≥ 0.99', async () => {
    const worst = { box: 0, score: 0, iou: 1, detections: 0 };
    for (const s of slices) {
      const opts = { keepMasks: true, polygons: false };
      const t0 = performance.now();
      const a = predict(wasm, s.image, undefined, opts);
      const t1 = performance.now();
      const b = await predictWith(onnx, s.image, undefined, opts);
      const t2 = performance.now();
      const c = compare(a, b);
      console.log(`slice ${s.id} (${s.image.width}×${s.image.height}): ${c.detections} detections, max box diff ${c.box.toExponential(2)} px, max score diff ${c.score.toExponential(2)}, min mask IoU ${c.iou.toFixed(4)}; wasm ${(t1 - t0).toFixed(0)} ms, onnxruntime ${(t2 - t1).toFixed(0)} ms`);
      worst.box = Math.max(worst.box, c.box);
      worst.score = Math.max(worst.score, c.score);
      worst.iou = Math.min(worst.iou, c.iou);
      worst.detections += c.detections;
    }
    console.log(`models/base over ${slices.length} slice(s), ${worst.detections} detections: max box diff ${worst.box} px, max score diff ${worst.score}, min mask IoU ${worst.iou}`);
    expect(worst.detections).toBeGreaterThan(0);
    expect(worst.box).toBeLessThanOrEqual(0.5);
    expect(worst.score).toBeLessThanOrEqual(1e-3);
    expect(worst.iou).toBeGreaterThanOrEqual(0.99);
  }, 300_000);
});
