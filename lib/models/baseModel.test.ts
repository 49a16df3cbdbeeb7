import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from '@/lib/model/config';
import { loadSegmenter, readModelDir, saveSegmenter } from '@/lib/model/io';
import { MaskRcnn } from '@/lib/model/maskRcnn';
import { useTestBackend } from '@/lib/model/train/testBackend';
import { repoRoot } from '@/lib/paths';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { baseModelDir, baseVersion, ensureBaseModel } from './baseModel';
import { activeVersion, registerVersion, promoteIfBetter } from './versions';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-base-'));
const thresholds = { GGO: { score: 0.4, mask: 0.5 }, C: { score: 0.55, mask: 0.45 } };

/** A base-model folder as `npm run pretrain` writes it, from a seeded random model. */
function fakeBase(name: string, seed: number): string {
  const model = new MaskRcnn(makeSegmenterConfig('tiny', 'both'), seed);
  const dir = path.join(tmp, name);
  saveSegmenter(dir, model, { command: 'npm run pretrain -- --steps 1', metrics: { tune: { bestDice: { mean: 0.42 } }, medsegVal: { dice: { GGO: 0.6, C: 0.4 } } } }, { dtype: 'float16', proposalThresholds: thresholds });
  fs.writeFileSync(path.join(dir, 'README.md'), '# notes, not copied\n');
  model.dispose();
  return dir;
}

describe('the base model becomes the first version of a fresh install', () => {
  let t: TestDb;
  beforeAll(async () => {
    await useTestBackend();
    process.env.DATA_DIR = path.join(tmp, 'data');
    t = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('imports it once as the active segmenter labelled "base", with its metrics and thresholds', async () => {
    const dir = fakeBase('b1', 1);
    const first = await ensureBaseModel(t.db, dir);
    expect(first).toMatchObject({ number: 1, active: true });
    const v = (await activeVersion(t.db, 'segmenter'))!;
    expect(v).toMatchObject({ label: 'base', gateMetric: 0.42, labelledSlices: 0, proposalThresholds: thresholds });
    expect(v.metrics).toEqual({ dice: { GGO: 0.6, C: 0.4 } });
    // the copy in the data folder is a loadable model with the same checksum; notes stay behind
    const copy = path.join(process.env.DATA_DIR!, v.path);
    expect(readModelDir(copy).manifest.sha256).toBe(readModelDir(dir).manifest.sha256);
    expect(fs.existsSync(path.join(copy, 'README.md'))).toBe(false);
    loadSegmenter(copy).dispose();
    // a second start finds it and adds nothing
    expect(await ensureBaseModel(t.db, dir)).toBeNull();
    expect(await t.db.modelVersion.count()).toBe(1);
  });

  it('adds a changed base model as a new "base" version without replacing a trained active one', async () => {
    const trained = await registerVersion(t.db, { kind: 'segmenter', path: 'models/segmenter/trained', config: {}, metrics: {}, gateMetric: 0.5, trainingSummary: {}, labelledSlices: 40 });
    expect((await promoteIfBetter(t.db, trained.id)).promoted).toBe(true);
    const second = await ensureBaseModel(t.db, fakeBase('b2', 2));
    expect(second).toMatchObject({ number: 3, active: false });
    expect((await activeVersion(t.db, 'segmenter'))!.id).toBe(trained.id);
    expect((await baseVersion(t.db))!.number).toBe(3);
  });

  it('refuses a folder whose weights do not match its checksum, and registers nothing', async () => {
    const dir = fakeBase('b3', 3);
    const weights = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(weights);
    bytes[100] ^= 0xff;
    fs.writeFileSync(weights, bytes);
    const before = await t.db.modelVersion.count();
    await expect(ensureBaseModel(t.db, dir)).rejects.toThrow(/weights.bin is corrupt/);
    expect(await t.db.modelVersion.count()).toBe(before);
  });
});

const shipped = path.join(repoRoot(), 'models', 'base');
describe.skipIf(!fs.existsSync(path.join(shipped, 'manifest.json')))('the base model in the repository', () => {
  beforeAll(async () => { await useTestBackend(); });

  it('is found by default, verifies, fits the 10 MB limit and says how to reproduce it', () => {
    expect(baseModelDir()).toBe(shipped);
    const md = readModelDir(shipped);
    const bytes = fs.readdirSync(shipped).reduce((n, f) => n + fs.statSync(path.join(shipped, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(10 * 1024 * 1024);
    expect(md.manifest.kind).toBe('segmenter');
    expect(md.manifest.classNames).toEqual(['GGO', 'C']);
    expect(String(md.manifest.training.command)).toMatch(/^npm run pretrain/);
    expect(Object.keys(md.manifest.proposalThresholds ?? {})).toEqual(['GGO', 'C']);
  });
});
