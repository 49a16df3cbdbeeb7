import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@/lib/paths';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { baseVersion, ensureBaseModel } from './baseModel';
import { onnxDownload } from './onnxDownload';
import { setThresholdOverride } from './thresholds';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-onnx-dl-'));
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

describe('a segmenter version as an ONNX download', () => {
  let t: TestDb;
  beforeAll(async () => {
    process.env.DATA_DIR = path.join(tmp, 'data');
    t = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('zips the three graphs and a sidecar that names them, with the thresholds the tool proposes with', async () => {
    await ensureBaseModel(t.db, path.join(repoRoot(), 'models', 'base'));
    const v = (await baseVersion(t.db))!;
    await setThresholdOverride(t.db, v.id, { GGO: { score: 0.3, mask: 0.5 } });
    const { body, fileName } = await onnxDownload(t.db, v.id);
    expect(fileName).toBe('segmenter-v1-onnx.zip');
    const files = unzipSync(body);
    expect(Object.keys(files).sort()).toEqual(['segmenter-v1.box_head.onnx', 'segmenter-v1.json', 'segmenter-v1.mask_head.onnx', 'segmenter-v1.onnx']);
    const sidecar = JSON.parse(new TextDecoder().decode(files['segmenter-v1.json']));
    expect(sidecar.classes).toEqual(['GGO', 'C']);
    expect(sidecar.thresholds.GGO).toEqual({ score: 0.3, mask: 0.5 });
    for (const g of ['dense', 'boxHead', 'maskHead']) expect(sha256(files[sidecar.graphs[g].file])).toBe(sidecar.graphs[g].sha256);
  });

  it('answers not found for an unknown version', async () => {
    await expect(onnxDownload(t.db, 'no-such-id')).rejects.toThrow(/Model version no-such-id/);
  });
});
