import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from '@/lib/model/config';
import { saveSegmenter } from '@/lib/model/io';
import { exportOnnx } from '@/lib/model/onnx/exportOnnx';
import { MaskRcnn } from '@/lib/model/maskRcnn';
import type { PredictionsFile } from '@/lib/model/predictionRecord';
import { useTestBackend } from '@/lib/model/train/testBackend';

const root = path.resolve(__dirname, '..');
const thresholds = { GGO: { score: 0.35, mask: 0.45 }, C: { score: 0.6, mask: 0.55 } };
let work: string;
let modelDir: string;
let sha256: string;

/** A grey slice with a bright blob, `w` × `h`. */
function slicePng(w: number, h: number, seed: number): Promise<Buffer> {
  const px = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = (x * 7 + y * 13 + seed * 31) % 90 + ((x - w / 2) ** 2 + (y - h / 2) ** 2 < 100 ? 120 : 0);
  return sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
}

function predictCli(args: string[]) {
  return spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/predict.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CTMS_TF_BACKEND: 'wasm' } });
}
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as PredictionsFile;

beforeAll(async () => {
  await useTestBackend();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-predict-cli-'));
  modelDir = path.join(work, 'model');
  const model = new MaskRcnn(makeSegmenterConfig('tiny', 'both', { transform: { minSize: 64, maxSize: 128 } }), 1);
  sha256 = saveSegmenter(modelDir, model, {}, { proposalThresholds: thresholds });
  model.dispose();
  fs.mkdirSync(path.join(work, 'slices'));
  // named so that a plain string sort would put 10 before 2
  for (const [name, w, h] of [['10.png', 64, 64], ['2.png', 80, 64], ['1.png', 64, 96]] as const) {
    fs.writeFileSync(path.join(work, 'slices', name), await slicePng(w, h, Number.parseInt(name, 10)));
  }
  fs.writeFileSync(path.join(work, 'slices', 'notes.txt'), 'not an image');
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('npm run predict -- --json', () => {
  it('writes one record per image of a folder, in natural name order, with the instances as JSON', () => {
    const json = path.join(work, 'all.json');
    const overlays = path.join(work, 'overlays');
    const r = predictCli(['--model', modelDir, '--json', json, '--out', overlays, '--score-threshold', '0', path.join(work, 'slices')]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const out = readJson(json);
    // an untrained model scores every class about 1/3: with a score threshold of 0 every detection is kept,
    // outlined at the model's calibrated mask thresholds
    expect(out.model).toEqual({ dir: modelDir, sha256, classNames: ['GGO', 'C'], thresholds: { GGO: { score: 0, mask: 0.45 }, C: { score: 0, mask: 0.55 } } });
    expect(out.slices.map((s) => [path.basename(s.file), s.width, s.height])).toEqual([['1.png', 64, 96], ['2.png', 80, 64], ['10.png', 64, 64]]);
    const instances = out.slices.flatMap((s) => s.instances);
    expect(instances.length).toBeGreaterThan(0);
    for (const s of out.slices) {
      expect(s.sliceProbabilities).toBeNull();
      expect(s.uncertainty.detection).toBeGreaterThanOrEqual(0);
      for (const d of s.instances) {
        expect(['GGO', 'C']).toContain(d.class);
        expect(d.score).toBeGreaterThanOrEqual(0);
        expect(d.box).toHaveLength(4);
        expect(d.box[2]).toBeLessThanOrEqual(s.width);
        expect(d.area).toBeGreaterThanOrEqual(0);
        for (const polygon of d.polygons) {
          expect(polygon.length).toBeGreaterThanOrEqual(1); // the outer ring, then holes
          for (const ring of polygon) for (const [x, y] of ring) expect(x >= 0 && x <= s.width && y >= 0 && y <= s.height).toBe(true);
        }
      }
    }
    expect(instances.some((d) => d.polygons.length > 0)).toBe(true);
    expect(fs.readdirSync(overlays).sort()).toEqual(['1.overlay.png', '10.overlay.png', '2.overlay.png']);
  }, 120_000);

  it("predicts one image with the model's stored proposal thresholds and no overlay folder needed", () => {
    const json = path.join(work, 'one.json');
    const overlay = path.join(work, 'one.png');
    const r = predictCli(['--model', modelDir, '--json', json, '--out', overlay, path.join(work, 'slices', '2.png')]);
    expect(r.status).toBe(0);
    const out = readJson(json);
    expect(out.model.thresholds).toEqual(thresholds);
    expect(out.slices).toHaveLength(1);
    expect(out.slices[0].file).toBe(path.join(work, 'slices', '2.png'));
    for (const d of out.slices[0].instances) expect(d.score).toBeGreaterThanOrEqual(thresholds[d.class as 'GGO' | 'C'].score);
    expect(fs.existsSync(overlay)).toBe(true);
  }, 120_000);

  it('refuses a bad path, a bad threshold or an unreadable image with a message, exit code 2, and writes nothing', () => {
    const json = path.join(work, 'bad.json');
    const missing = predictCli(['--model', modelDir, '--json', json, path.join(work, 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/image or folder .*nope: not found[\s\S]*Usage: npm run predict/);
    const threshold = predictCli(['--model', modelDir, '--json', json, '--mask-threshold', '1', path.join(work, 'slices')]);
    expect(threshold.status).toBe(2);
    expect(threshold.stderr).toMatch(/--mask-threshold must be a number strictly between 0 and 1, got "1"/);
    const noFolder = predictCli(['--model', modelDir, '--json', path.join(work, 'no', 'such.json'), path.join(work, 'slices')]);
    expect(noFolder.stderr).toMatch(/--json .*such\.json: its folder does not exist/);
    fs.mkdirSync(path.join(work, 'broken'));
    fs.copyFileSync(path.join(work, 'slices', '1.png'), path.join(work, 'broken', '1.png'));
    fs.writeFileSync(path.join(work, 'broken', '2.png'), 'not a png');
    const broken = predictCli(['--model', modelDir, '--json', json, '--out', path.join(work, 'broken-out'), path.join(work, 'broken')]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\/2\.png: not a readable image/);
    expect(fs.existsSync(json)).toBe(false);
    expect(fs.existsSync(path.join(work, 'broken-out'))).toBe(false);
    expect(fs.existsSync(path.join(work, 'no'))).toBe(false);
  }, 120_000);
});

describe('npm run predict -- --backend / --model model.onnx', () => {
  it('reads an ONNX export back (its sidecar thresholds) and gives what the wasm backend gives for the model folder', () => {
    const onnx = path.join(work, 'export', 'model.onnx');
    fs.mkdirSync(path.dirname(onnx));
    exportOnnx(modelDir, onnx);
    const viaOnnx = path.join(work, 'onnx.json');
    const viaWasm = path.join(work, 'wasm.json');
    const r1 = predictCli(['--model', onnx, '--json', viaOnnx, '--score-threshold', '0', path.join(work, 'slices')]);
    expect(r1.stderr).toMatch(/\[model\] inference backend=onnxruntime/);
    expect(r1.status).toBe(0);
    const r2 = predictCli(['--model', modelDir, '--backend', 'wasm', '--json', viaWasm, '--score-threshold', '0', path.join(work, 'slices')]);
    expect(r2.stderr).toMatch(/\[model\] inference backend=wasm \(asked for\)/);
    expect(r2.status).toBe(0);
    const a = readJson(viaOnnx), b = readJson(viaWasm);
    expect(a.model).toEqual({ ...b.model, dir: onnx });
    expect(a.slices.map((s) => s.instances.length)).toEqual(b.slices.map((s) => s.instances.length));
    a.slices.forEach((s, i) => s.instances.forEach((d, j) => {
      const w = b.slices[i].instances[j];
      expect(d.class).toBe(w.class);
      expect(Math.abs(d.score - w.score)).toBeLessThanOrEqual(1e-3);
      d.box.forEach((v, k) => expect(Math.abs(v - w.box[k])).toBeLessThanOrEqual(0.5));
    }));
  }, 180_000);

  it('refuses --backend wasm for an ONNX export and an unknown backend, with exit code 2', () => {
    const r = predictCli(['--model', path.join(work, 'export', 'model.onnx'), '--backend', 'wasm', path.join(work, 'slices')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is an ONNX export: it runs on onnxruntime only/);
    const bad = predictCli(['--model', modelDir, '--backend', 'gpu', path.join(work, 'slices')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--backend must be one of onnxruntime, wasm, got "gpu"/);
  }, 120_000);
});
