import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists, sharedDataDir } from '@/lib/testing/paths';
import { defaultClassifierConfig, makeSegmenterConfig } from '../config';
import { openClassificationDataset } from '../data/datasets';
import { loadClassifier, saveClassifier, saveSegmenter } from '../io';
import { MaskRcnn } from '../maskRcnn';
import { useTestBackend } from './testBackend';
import { cachedRankedFeatures, trainClassifier } from './trainClassifier';

const slices = path.join(sharedDataDir(), 'covid-ct-slices');
const noData = !exists(slices);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-cls-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(noData)(`trainClassifier on covid-ct-slices${noData ? ` (skipped: ${slices} not found)` : ''}`, () => {
  const segDir = path.join(tmp, 'seg');
  const segCfg = makeSegmenterConfig('tiny', 'both', { transform: { minSize: 128, maxSize: 256 } });
  let eight: ReturnType<typeof openClassificationDataset>['train'];
  beforeAll(async () => {
    await useTestBackend();
    // S only needs a fixed trunk: an untrained segmenter still gives each slice its own ranked features.
    const seg = new MaskRcnn(segCfg, 7);
    saveSegmenter(segDir, seg);
    seg.dispose();
    const ds = openClassificationDataset(slices, ['COVID', 'non-COVID']);
    eight = [...ds.train.filter((r) => r.label === 0).slice(0, 4), ...ds.train.filter((r) => r.label === 1).slice(0, 4)];
  });

  it('S overfits 8 slices to 100 % accuracy in heads mode, with cached ranked features', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const config = { ...defaultClassifierConfig(segCfg, ['COVID', 'non-COVID']), rankedN: 32, hiddenUnits: 128 };
    const t0 = Date.now();
    const r = await trainClassifier({ config, segmenterDir: segDir, train: eight, val: eight, cacheDir, options: { seed: 1, lr: 1e-3, weightDecay: 0, epochs: 150 } });
    console.log(`S overfit: ${r.steps} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s, accuracy ${r.lastVal?.accuracy}`);
    expect(r.lastVal!.accuracy).toBe(1);
    expect(r.lastVal!.confusion).toEqual([[4, 0], [0, 4]]);
    // one cached N×5 matrix per slice, keyed by the segmenter's checksum
    const cached = fs.readdirSync(path.join(cacheDir, r.segmenterChecksum));
    expect(cached).toHaveLength(8);
    const again = await cachedRankedFeatures(r.model, eight[0].image, r.segmenterChecksum, cacheDir);
    expect(again.length).toBe(5 * 32);
    // rows are in decreasing score order (column 0)
    for (let i = 1; i < 32; i++) expect(again[5 * i]).toBeLessThanOrEqual(again[5 * (i - 1)]);
    // the saved classifier predicts the same
    const dir = path.join(tmp, 'cls');
    saveClassifier(dir, r.model, r.summary);
    const loaded = loadClassifier(dir);
    expect(loaded.ps.get('s.fc1.weight').dataSync()).toEqual(r.model.ps.get('s.fc1.weight').dataSync());
    loaded.dispose();
    r.model.dispose();
  });

  it('heads+bn trains S and the normalisation affines only', async () => {
    const config = { ...defaultClassifierConfig(segCfg, ['COVID', 'non-COVID']), rankedN: 16, hiddenUnits: 32, mode: 'heads+bn' as const };
    const tensorsBefore = tf.memory().numTensors;
    const r = await trainClassifier({ config, segmenterDir: segDir, train: eight.slice(3, 5), batchSize: 2, options: { seed: 1, lr: 1e-2, maxSteps: 1 } });
    const fresh = new MaskRcnn(segCfg, 7);
    const changed = (n: string) => r.model.ps.get(n).dataSync().some((v, i) => v !== fresh.ps.get(n).dataSync()[i]);
    expect(changed('backbone.body.stem.norm.weight')).toBe(true);
    expect(changed('backbone.body.stem.weight')).toBe(false);
    fresh.dispose();
    r.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore); // nothing left behind by the tape or the optimizer
  });
});
