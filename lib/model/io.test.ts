import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from './config';
import { loadSegmenter, ModelLoadError, readModelDir, saveSegmenter } from './io';
import { MaskRcnn } from './maskRcnn';
import { useTestBackend } from './train/testBackend';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-io-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('model directory I/O', () => {
  beforeAll(async () => { await useTestBackend(); });
  const cfg = makeSegmenterConfig('tiny', 'both');

  it('round-trips weights, config, class names and the training summary', () => {
    const model = new MaskRcnn(cfg, 1);
    const dir = path.join(tmp, 'rt');
    const sum = saveSegmenter(dir, model, { trainCount: 40, valCount: 10 });
    const md = readModelDir(dir);
    expect(md.manifest.sha256).toBe(sum);
    expect(md.manifest.classNames).toEqual(['GGO', 'C']);
    expect(md.manifest.training.trainCount).toBe(40);
    const loaded = loadSegmenter(dir);
    expect(loaded.config).toEqual(model.config);
    for (const n of model.ps.names()) expect(loaded.ps.get(n).dataSync(), n).toEqual(model.ps.get(n).dataSync());
    // a model with another seed really differs, so the comparison above can fail
    const other = new MaskRcnn(cfg, 2);
    expect(other.ps.get('rpn.head.conv.weight').dataSync()).not.toEqual(model.ps.get('rpn.head.conv.weight').dataSync());
    [model, loaded, other].forEach((m) => m.dispose());
  });

  it('stores float16 weights at half the size, within float16 rounding, with the proposal thresholds', () => {
    const model = new MaskRcnn(cfg, 1);
    const thresholds = { GGO: { score: 0.35, mask: 0.4 }, C: { score: 0.6, mask: 0.5 } };
    const d32 = path.join(tmp, 'f32'), d16 = path.join(tmp, 'f16');
    saveSegmenter(d32, model);
    saveSegmenter(d16, model, {}, { dtype: 'float16', proposalThresholds: thresholds });
    expect(fs.statSync(path.join(d16, 'weights.bin')).size * 2).toBe(fs.statSync(path.join(d32, 'weights.bin')).size);
    const md = readModelDir(d16);
    expect(md.manifest.dtype).toBe('float16');
    expect(md.manifest.proposalThresholds).toEqual(thresholds);
    const loaded = loadSegmenter(d16);
    for (const n of ['rpn.head.conv.weight', 'backbone.body.stem.weight']) {
      const a = model.ps.get(n).dataSync(), b = loaded.ps.get(n).dataSync();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 6e-5));
      expect(worst, n).toBeLessThan(1e-3); // float16 keeps 11 significant bits
      expect(worst, n).toBeGreaterThan(0); // and it really was rounded
    }
    // the checksum covers the stored (float16) bytes
    fs.appendFileSync(path.join(d16, 'weights.bin'), Buffer.from([0]));
    expect(() => readModelDir(d16)).toThrow(/corrupt/);
    [model, loaded].forEach((m) => m.dispose());
  });

  it('rejects a corrupt weights file with a clear error', () => {
    const model = new MaskRcnn(cfg, 1);
    const dir = path.join(tmp, 'corrupt');
    saveSegmenter(dir, model);
    model.dispose();
    const file = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[100] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(() => loadSegmenter(dir)).toThrow(ModelLoadError);
    expect(() => loadSegmenter(dir)).toThrow(/weights\.bin is corrupt/);
    fs.rmSync(path.join(dir, 'config.json'));
    expect(() => loadSegmenter(dir)).toThrow(/config\.json is missing/);
  });

  it('rejects weights that do not match the config', () => {
    const model = new MaskRcnn(cfg, 1);
    const dir = path.join(tmp, 'mismatch');
    saveSegmenter(dir, model);
    model.dispose();
    // the config now says one foreground class (merge) but the weights were trained for two
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    c.maskType = 'merge';
    c.classNames = ['lesion'];
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
    expect(() => loadSegmenter(dir)).toThrow(/do not match the model config.*box_predictor/);
    c.backbone.outChannels = -3;
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
    expect(() => loadSegmenter(dir)).toThrow(/config\.json is not valid.*backbone\.outChannels/);
  });
});
