/**
 * The score job on the shipped base model: it runs the segmenter on onnxruntime with the job's cores, logs the
 * backend and its slices/s, stores proposals, and a second job on the same version reuses the open sessions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPath } from '@/lib/import/importPath';
import { ensureBaseModel } from '@/lib/models/baseModel';
import { haveMedseg, medsegDir, medsegImages, stageMedseg } from '@/lib/testing/medseg';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { JobContext } from '../types';
import { scoreJob } from './score';

describe.skipIf(!haveMedseg)(`score job (MedSeg slices from ${medsegDir})`, () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-score-'));
  const previousDataDir = process.env.DATA_DIR;

  beforeAll(async () => {
    process.env.DATA_DIR = path.join(work, 'data');
    t = await createTestDb('sqlite');
    stageMedseg(path.join(work, 'queue'), medsegImages().slice(40, 42));
    const imported = await importPath(t.db, path.join(work, 'queue'), { studyFrom: 'file' });
    expect(imported.errors).toEqual([]);
    expect(await ensureBaseModel(t.db)).not.toBeNull();
  }, 120_000);

  afterAll(async () => {
    process.env.DATA_DIR = previousDataDir;
    await t?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const run = async (config: unknown) => {
    const log: string[] = [];
    const ctx: JobContext = {
      db: t.db, jobId: 'job', type: 'score', config, attempt: 1, workerId: 'test', signal: new AbortController().signal,
      progress: async () => {}, log: async (line) => { log.push(line); },
    };
    const outcome = await scoreJob(ctx);
    return { log, message: outcome?.message ?? '' };
  };

  it('scores on onnxruntime with the job\'s cores, logs slices/s, and reuses the sessions for the next job', async () => {
    const first = await run({ cores: 1 });
    expect(first.log).toContain('[model] inference backend=onnxruntime (cpu, 1 thread)');
    expect(first.log.at(-1)).toMatch(/^scored 2 slices in [\d.]+ s \([\d.]+ slices\/s on onnxruntime\), \d+ proposals$/);
    expect(await t.db.prediction.count()).toBeGreaterThan(0);
    const second = await run({ cores: 1 });
    expect(second.log).toContain('[model] inference backend=onnxruntime (segmenter v1 already open in this worker)');
    const wasm = await run({ backend: 'wasm' });
    expect(wasm.log).toContain('[model] inference backend=wasm (asked for)');
    expect(wasm.message).toMatch(/slices\/s on wasm/);
  }, 240_000);

  it('refuses a bad core count before doing anything', async () => {
    await expect(run({ cores: 0 })).rejects.toThrow();
  });
});
