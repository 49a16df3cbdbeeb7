/**
 * The ONNX export as files: what it writes, that a failed export changes nothing, that a corrupt or
 * truncated export is refused with a clear error (and left as it was), and the fallback to wasm when
 * onnxruntime cannot be loaded (injected loader).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSegmenter } from '../inferenceBackend';
import { useTestBackend } from '../train/testBackend';
import { repoRoot } from '@/lib/testing/paths';
import { exportOnnx } from './exportOnnx';
import { OnnxModelError, OnnxSegmenter, loadOnnxRuntime, providersFromEnv } from './session';
import { onnxSidecarSchema } from './sidecar';

const BASE = path.join(repoRoot, 'models', 'base');
const tmpDirs: string[] = [];
const tmpDir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-export-')); tmpDirs.push(d); return d; };
const snapshot = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]));

afterEach(() => { for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

describe('exportOnnx', () => {
  beforeAll(async () => { await useTestBackend(); });

  it('writes model.onnx, the two head graphs and a sidecar that describes them', () => {
    const dir = tmpDir();
    const { files, sidecar } = exportOnnx(BASE, path.join(dir, 'model.onnx'));
    expect(files.map((f) => path.basename(f))).toEqual(['model.onnx', 'model.box_head.onnx', 'model.mask_head.onnx', 'model.json']);
    const onDisk = onnxSidecarSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')));
    expect(onDisk.classes).toEqual(['GGO', 'C']);
    expect(onDisk.graphs.dense.inputs).toEqual(['image']);
    expect(onDisk.graphs.dense.outputs).toEqual(['feature_0', 'rpn_objectness', 'rpn_deltas']);
    expect(onDisk.preprocessing.resize).toMatchObject({ minSize: 256, maxSize: 512 });
    // the calibrated thresholds of the version's manifest
    const manifest = JSON.parse(fs.readFileSync(path.join(BASE, 'manifest.json'), 'utf8'));
    expect(onDisk.thresholds).toEqual(manifest.proposalThresholds);
    expect(sidecar.source.weightsSha256).toBe(manifest.sha256);
  });

  it('changes nothing when the model folder is bad (an earlier export stays intact)', () => {
    const dir = tmpDir();
    exportOnnx(BASE, path.join(dir, 'model.onnx'));
    const before = snapshot(dir);
    const bad = tmpDir();
    for (const f of ['manifest.json', 'config.json']) fs.copyFileSync(path.join(BASE, f), path.join(bad, f));
    fs.writeFileSync(path.join(bad, 'weights.bin'), fs.readFileSync(path.join(BASE, 'weights.bin')).subarray(0, 1000));
    expect(() => exportOnnx(bad, path.join(dir, 'model.onnx'))).toThrow(/weights\.bin is corrupt/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a truncated or corrupt model.onnx with a clear error, and leaves the files as they were', async () => {
    const ort = await loadOnnxRuntime();
    const dir = tmpDir();
    const file = path.join(dir, 'model.onnx');
    exportOnnx(BASE, file);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 5000));
    await expect(OnnxSegmenter.fromFile(file, { ort })).rejects.toThrow(/model\.onnx: the file is corrupt or truncated: its SHA-256 does not match model\.json/);
    // the same bytes with a sidecar that vouches for them: onnxruntime's refusal, said plainly
    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const crypto = await import('node:crypto');
    sidecar.graphs.dense.sha256 = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(sidecar));
    const vouched = snapshot(dir);
    const err = await OnnxSegmenter.fromFile(file, { ort }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnnxModelError);
    expect((err as Error).message).toMatch(/onnxruntime cannot read it as an ONNX model .*re-export it/);
    // an .onnx file never falls back to wasm: it has no TensorFlow.js twin
    await expect(openSegmenter(file, { log: () => {} })).rejects.toThrow(/cannot read it as an ONNX model/);
    expect(snapshot(dir)).toEqual(vouched);
  });

  it('refuses an export without its sidecar', async () => {
    const ort = await loadOnnxRuntime();
    const dir = tmpDir();
    exportOnnx(BASE, path.join(dir, 'model.onnx'));
    fs.rmSync(path.join(dir, 'model.json'));
    await expect(OnnxSegmenter.fromFile(path.join(dir, 'model.onnx'), { ort })).rejects.toThrow(/sidecar model\.json is missing/);
  });
});

describe('openSegmenter', () => {
  beforeAll(async () => { await useTestBackend(); });

  it('falls back to wasm with one log line saying why when onnxruntime cannot be loaded', async () => {
    const lines: string[] = [];
    const { segmenter, backend } = await openSegmenter(BASE, {
      log: (l) => lines.push(l),
      loader: () => Promise.reject(new Error('libonnxruntime.so.1: cannot open shared object file: No such file or directory')),
    });
    expect(backend).toBe('wasm');
    expect(lines).toEqual(['[model] inference backend=wasm — onnxruntime-node could not be loaded (libonnxruntime.so.1: cannot open shared object file: No such file or directory)']);
    expect(segmenter.constructor.name).toBe('MaskRcnn');
    segmenter.dispose();
  });

  it('runs onnxruntime by default, with the threads asked for', async () => {
    const lines: string[] = [];
    const { segmenter, backend } = await openSegmenter(BASE, { threads: 2, log: (l) => lines.push(l) });
    expect(backend).toBe('onnxruntime');
    expect(segmenter).toBeInstanceOf(OnnxSegmenter);
    expect(lines).toEqual(['[model] inference backend=onnxruntime (cpu, 2 threads)']);
    segmenter.dispose();
  });

  it('uses wasm when asked', async () => {
    const lines: string[] = [];
    const { backend, segmenter } = await openSegmenter(BASE, { backend: 'wasm', log: (l) => lines.push(l) });
    expect(backend).toBe('wasm');
    expect(lines).toEqual(['[model] inference backend=wasm (asked for)']);
    segmenter.dispose();
  });

  it('reads the execution providers from CTMS_ONNX_PROVIDERS, and falls back to wasm when one cannot start', async () => {
    expect(providersFromEnv({})).toEqual(['cpu']);
    expect(providersFromEnv({ CTMS_ONNX_PROVIDERS: 'cuda, cpu' })).toEqual(['cuda', 'cpu']);
    expect(() => providersFromEnv({ CTMS_ONNX_PROVIDERS: 'tpu' })).toThrow(/unknown provider tpu/);
    const previous = process.env.CTMS_ONNX_PROVIDERS;
    process.env.CTMS_ONNX_PROVIDERS = 'cuda,cpu';
    try {
      const lines: string[] = [];
      // the npm package ships the CPU provider only (.npmrc skips the CUDA download)
      const { backend, segmenter } = await openSegmenter(BASE, { log: (l) => lines.push(l) });
      expect(backend).toBe('wasm');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[model\] inference backend=wasm — onnxruntime could not start the cuda, cpu provider\(s\)/);
      segmenter.dispose();
    } finally {
      if (previous === undefined) delete process.env.CTMS_ONNX_PROVIDERS;
      else process.env.CTMS_ONNX_PROVIDERS = previous;
    }
  });
});
