/**
 * The score job on the shipped base model: it runs the segmenter on onnxruntime with the job's cores, logs the
 * backend and its slices/s, stores proposals, and a second job on the same version reuses the open sessions.
 * It resumes: a retried attempt skips the slices its earlier attempt already scored with the version, and still
 * scores those whose prediction predates the job (an admin changed the thresholds since).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPath } from '@/lib/import/importPath';
import { useTestBackend } from '@/lib/model/train/testBackend';
import { ensureBaseModel } from '@/lib/models/baseModel';
import { repoRoot } from '@/lib/paths';
import { haveMedseg, medsegDir, medsegImages, stageMedseg } from '@/lib/testing/medseg';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { JobContext } from '../types';
import { scoreJob } from './score';

/** Runs the job as the worker does: the config parsed by the job type's schema first. */
const runJob = (ctx: JobContext, config: unknown) => scoreJob.run(ctx, scoreJob.configSchema.parse(config));

describe.skipIf(!haveMedseg)(`score job (MedSeg slices from ${medsegDir})`, () => {
  let t: TestDb;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-score-'));
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
    fs.rmSync(work, { recursive: true, force: true });
  });

  const run = async (config: unknown) => {
    const log: string[] = [];
    const ctx: JobContext = {
      db: t.db, jobId: 'job', type: 'score', queuedAt: new Date(), attempt: 1, workerId: 'test', signal: new AbortController().signal,
      progress: async () => {}, log: async (line) => { log.push(line); },
    };
    const outcome = await runJob(ctx, config);
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

  it('refuses a bad core count before doing anything (the worker fails such a job without running it)', () => {
    expect(scoreJob.configSchema.safeParse({ cores: 0 }).success).toBe(false);
  });
});

/** Grey slices with a bright blob each, so the model has something to look at. */
async function writeSlices(dir: string, count: number) {
  fs.mkdirSync(dir, { recursive: true });
  const size = 96;
  for (let k = 0; k < count; k++) {
    const grey = new Uint8Array(size * size).fill(40);
    for (let y = 30; y < 50 + k * 4; y++) for (let x = 20 + k * 5; x < 60; x++) grey[y * size + x] = 170;
    await sharp(Buffer.from(grey), { raw: { width: size, height: size, channels: 1 } }).png().toFile(path.join(dir, `s-${k}.png`));
  }
}

describe('score job resume', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-score-resume-'));
  const previousDataDir = process.env.DATA_DIR;
  let t: TestDb;
  let versionId: string;

  function context(queuedAt: Date, attempt: number, stopAfter = Infinity): { ctx: JobContext; log: string[] } {
    const controller = new AbortController();
    const log: string[] = [];
    let steps = 0;
    const ctx: JobContext = {
      db: t.db, jobId: 'score-job', type: 'score', queuedAt, attempt, workerId: 'test', signal: controller.signal,
      // the attempt "dies" after `stopAfter` slices
      progress: async () => {
        if (++steps >= stopAfter) controller.abort(new Error('worker died'));
      },
      log: async (line) => void log.push(line),
    };
    return { ctx, log };
  }

  const modelProposals = () => t.db.annotation.findMany({ where: { source: 'MODEL', deletedAt: null }, select: { id: true, sliceId: true } });

  beforeAll(async () => {
    await useTestBackend();
    process.env.DATA_DIR = path.join(tmp, 'data');
    t = await createTestDb('sqlite');
    await writeSlices(path.join(tmp, 'slices'), 5);
    const summary = await importPath(t.db, path.join(tmp, 'slices'), { studyFrom: 'file' });
    expect(summary.slicesAdded).toBe(5);
    versionId = (await ensureBaseModel(t.db, path.join(repoRoot(), 'models', 'base')))!.versionId;
  }, 120_000);

  afterAll(async () => {
    process.env.DATA_DIR = previousDataDir;
    await t?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a retried attempt skips the slices already scored for the version since the job was queued', async () => {
    const slices = await t.db.slice.findMany({ orderBy: [{ studyId: 'asc' }, { index: 'asc' }], select: { id: true } });
    // one slice was scored by an earlier job, before this one was queued: it is scored again
    const stale = slices[4].id;
    await t.db.prediction.create({ data: { sliceId: stale, modelVersionId: versionId, uncertainty: { segmentation: 0.5 }, createdAt: new Date(Date.now() - 60_000) } });
    const queuedAt = new Date(Date.now() - 1_000);

    const first = context(queuedAt, 1, 2);
    await runJob(first.ctx, {});
    const afterFirst = await t.db.prediction.findMany({ where: { modelVersionId: versionId, createdAt: { gte: queuedAt } } });
    expect(afterFirst.map((p) => p.sliceId).sort()).toEqual([slices[0].id, slices[1].id].sort());
    const proposalsBefore = await modelProposals();

    const second = context(queuedAt, 2);
    await runJob(second.ctx, {});
    expect(second.log.join('\n')).toMatch(/scoring 3 slices .*\(2 already scored by an earlier attempt\)/);
    const predictions = await t.db.prediction.findMany({ where: { modelVersionId: versionId } });
    expect(predictions).toHaveLength(5);
    expect(predictions.every((p) => p.createdAt >= queuedAt)).toBe(true);
    // the first attempt's predictions and proposals were left as they were
    for (const p of afterFirst) expect(predictions.find((q) => q.sliceId === p.sliceId)!.createdAt).toEqual(p.createdAt);
    const kept = new Set(slices.slice(0, 2).map((s) => s.id));
    const proposalsAfter = await modelProposals();
    expect(proposalsAfter.filter((a) => kept.has(a.sliceId)).map((a) => a.id).sort()).toEqual(proposalsBefore.filter((a) => kept.has(a.sliceId)).map((a) => a.id).sort());
  }, 240_000);
});
