/**
 * The active-learning loop end to end on small real data (MedSeg, CI-sized): accepted annotations → a training job
 * run by the worker → a new, promoted model version → a score job → proposals and uncertainties → the annotation
 * queue now serves the least-confident slice first. Also: a running training job is cancelled within one step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strategyOrder } from '@/lib/al/queueOrder';
import { importPath } from '@/lib/import/importPath';
import { leaseNextSlice } from '@/lib/queue/next';
import { createTestUser } from '@/lib/testing/fixtures';
import { haveMedseg, medsegDir, medsegImages, medsegMasks, stageMedseg } from '@/lib/testing/medseg';
import { waitFor } from '@/lib/testing/wait';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { jobTypes } from './handlers';
import { TableQueue } from './queue';
import { enqueueJob } from './service';
import { requestCancel } from './store';
import { workerLoop } from './worker';

if (!haveMedseg) console.warn(`skipping the active-learning loop test: no ${medsegDir}`);

describe.skipIf(!haveMedseg)('active-learning loop on real slices', () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-al-'));
  const previousDataDir = process.env.DATA_DIR;
  const stop = new AbortController();
  let loop: Promise<number>;
  const queue = () => new TableQueue(t.db);

  beforeAll(async () => {
    process.env.DATA_DIR = path.join(work, 'data');
    t = await createTestDb('sqlite');
    const files = medsegImages();
    stageMedseg(path.join(work, 'labelled'), files.slice(0, 8));
    stageMedseg(path.join(work, 'queue'), files.slice(40, 46));
    const labelled = await importPath(t.db, path.join(work, 'labelled'), { masksDir: medsegMasks, studyFrom: 'file' });
    const unlabelled = await importPath(t.db, path.join(work, 'queue'), { studyFrom: 'file' });
    expect(labelled.errors.concat(unlabelled.errors)).toEqual([]);
    loop = workerLoop({ db: t.db, queue: queue(), jobTypes: jobTypes(), signal: stop.signal, pollMs: 100, workerId: 'test-worker' });
  }, 120_000);

  afterAll(async () => {
    stop.abort();
    await loop;
    process.env.DATA_DIR = previousDataDir;
    await t?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('trains, promotes, scores, and reorders the queue least-confident first', async () => {
    const annotator = await createTestUser(t.db, 'ANNOTATOR');
    const before = await leaseNextSlice(t.db, annotator.id, { order: strategyOrder('segmentation') });
    await t.db.sliceLease.deleteMany({});
    const job = await enqueueJob(t.db, { type: 'train-segmenter', config: { preset: 'tiny', epochs: 2, timeBudgetMin: 1.5, lr: 1e-3 }, modelKind: 'segmenter' }, queue());
    const done = await waitFor(() => t.db.job.findUniqueOrThrow({ where: { id: job.id } }), (j) => j.status !== 'QUEUED' && j.status !== 'RUNNING', 240_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    const version = await t.db.modelVersion.findUniqueOrThrow({ where: { id: done.resultVersionId! } });
    expect(version.active).toBe(true);
    expect((version.trainingSummary as { trainCount: number }).trainCount).toBeGreaterThan(0);
    expect((done.lossHistory as unknown[]).length).toBeGreaterThan(0);

    const score = await waitFor(() => t.db.job.findFirst({ where: { type: 'score' } }), (j) => j?.status === 'SUCCEEDED' || j?.status === 'FAILED', 240_000);
    expect(score?.error ?? null).toBeNull();
    const predictions = await t.db.prediction.findMany({ where: { modelVersionId: version.id }, include: { slice: { select: { status: true } } } });
    expect(predictions.length).toBe(6); // every slice not yet accepted
    const mostUncertain = [...predictions].sort((a, b) => (b.uncertainty as { segmentation: number }).segmentation - (a.uncertainty as { segmentation: number }).segmentation)[0];
    const after = await leaseNextSlice(t.db, annotator.id, { order: strategyOrder('segmentation') });
    expect(after).toBe(mostUncertain.sliceId);
    console.log(`queue head before training: ${before}; after scoring: ${after} (segmentation uncertainty ${(mostUncertain.uncertainty as { segmentation: number }).segmentation.toFixed(3)}); score job: ${score?.log.trim().split('\n').pop()}`);
  }, 480_000);

  it('stops a running training job within one step when it is cancelled', async () => {
    const job = await enqueueJob(t.db, { type: 'train-segmenter', config: { preset: 'tiny', epochs: 50, timeBudgetMin: 5, fineTune: false } , modelKind: 'segmenter' }, queue());
    const running = await waitFor(() => t.db.job.findUniqueOrThrow({ where: { id: job.id } }), (j) => ((j.progress as { step?: number } | null)?.step ?? 0) >= 2, 240_000);
    const stepAtCancel = (running.progress as { step: number }).step;
    expect(await requestCancel(t.db, job.id)).toBe('requested');
    const ended = await waitFor(() => t.db.job.findUniqueOrThrow({ where: { id: job.id } }), (j) => j.status !== 'RUNNING', 60_000);
    expect(ended.status).toBe('CANCELLED');
    const lastStep = (ended.progress as { step: number }).step;
    expect(lastStep - stepAtCancel).toBeLessThanOrEqual(2); // the step running at the cancel, and at most the one it was reported in
    expect(await t.db.modelVersion.count({ where: { jobId: job.id } })).toBe(0);
  }, 300_000);
});
