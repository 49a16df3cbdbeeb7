import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists, sharedDataDir } from '@/lib/testing/paths';
import { makeSegmenterConfig } from '../config';
import { openSegmentationDataset } from '../data/datasets';
import { useTestBackend } from './testBackend';
import { trainSegmenter } from './trainSegmenter';

const medseg = path.join(sharedDataDir(), 'medseg-ggo-c');
const noData = !exists(medseg);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** MedSeg slices 0 and 1 (13 and 17 lesion instances, GGO and C). */
const twoSlices = () => openSegmentationDataset(medseg).train.filter((r) => r.id === '0' || r.id === '1');
const small = (minSize: number) => makeSegmenterConfig('tiny', 'both', { transform: { minSize, maxSize: 2 * minSize } });

describe.skipIf(noData)(`trainSegmenter on real MedSeg slices${noData ? ` (skipped: ${medseg} not found)` : ''}`, () => {
  beforeAll(async () => { await useTestBackend(); });

  it('overfits 2 slices to mask AP@0.5 ≥ 0.9', async () => {
    const refs = twoSlices();
    const stop = new AbortController();
    const t0 = Date.now();
    const r = await trainSegmenter({
      config: small(160), train: refs, val: refs, signal: stop.signal, validateEvery: 25,
      options: { seed: 1, lr: 1e-3, weightDecay: 0, augment: false, epochs: 150 },
      onEpoch: ({ val }) => { if (val && (val.maskAP50.mean ?? 0) >= 0.9) stop.abort(); },
    });
    console.log(`overfit: ${r.steps} steps in ${((Date.now() - t0) / 1000).toFixed(0)} s, maskAP50 ${JSON.stringify(r.lastVal?.maskAP50)}, dice ${JSON.stringify(r.lastVal?.dice)}`);
    expect(r.lastVal!.maskAP50.mean).toBeGreaterThanOrEqual(0.9);
    r.model.dispose();
  }, 400_000);

  it('stops within one step when cancelled', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const r = await trainSegmenter({
      config: small(96), train: twoSlices(), options: { seed: 1, lr: 1e-3, epochs: 5 }, signal: stop.signal,
      onProgress: (e) => { seen.push(e.step); if (e.step === 2) stop.abort(); },
    });
    expect(r.reason).toBe('cancelled');
    expect(r.steps).toBe(2);
    expect(seen).toEqual([1, 2]);
    r.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('resumes from a checkpoint exactly where an uninterrupted run would be', async () => {
    const opts = { seed: 3, lr: 1e-3, weightDecay: 1e-3, augment: true };
    const cfg = small(96);
    const refs = twoSlices();
    const full = await trainSegmenter({ config: cfg, train: refs, options: { ...opts, maxSteps: 5 } });
    const ck = path.join(tmp, 'ck');
    const first = await trainSegmenter({ config: cfg, train: refs, options: { ...opts, maxSteps: 3 }, checkpointDir: ck });
    expect(first.steps).toBe(3);
    const losses: number[] = [];
    const resumed = await trainSegmenter({ config: cfg, train: refs, options: { ...opts, maxSteps: 5 }, checkpointDir: ck, resume: true, onProgress: (e) => losses.push(e.step) });
    expect(losses).toEqual([4, 5]);
    for (const n of ['rpn.head.conv.weight', 'roi_heads.box_head.fc6.weight', 'backbone.body.stem.weight']) {
      expect(resumed.model.ps.get(n).dataSync(), n).toEqual(full.model.ps.get(n).dataSync());
    }
    [full, first, resumed].forEach((r) => r.model.dispose());
  });
});
