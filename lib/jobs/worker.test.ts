import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DatabaseProvider } from '@/lib/db/client';
import { testPostgres } from '@/lib/testing/postgres';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { waitFor } from '@/lib/testing/wait';
import { createJobQueue, type JobQueue } from './queue';
import { enqueueJob } from './service';
import { claimJob, createJob, endJob, reapExpiredLeases, requestCancel } from './store';
import { jobTypes } from './handlers';
import { defineJobType, type JobContext, type JobRegistry } from './types';
import { workerLoop } from './worker';

/** A registry of one test job type that takes any config. */
function registry(name: string, run: (ctx: JobContext) => Promise<void>): JobRegistry {
  return { [name]: defineJobType({ name, description: `test job ${name}`, configSchema: z.unknown(), run: (ctx) => run(ctx) }) };
}

function suite(provider: DatabaseProvider) {
  let t: TestDb;
  const queues: JobQueue[] = [];
  const newQueue = async () => {
    const q = createJobQueue(t.db, t.url);
    await q.start();
    queues.push(q);
    return q;
  };
  beforeAll(async () => {
    t = await createTestDb(provider);
  });
  afterAll(async () => {
    for (const q of queues) await q.stop();
    await t?.cleanup();
  });

  it('two workers claiming at once run each job exactly once', async () => {
    const [qa, qb] = [await newQueue(), await newQueue()];
    const runs: string[] = [];
    const handlers = registry('count', async (ctx) => {
      runs.push(ctx.jobId);
      await sleep(5);
    });
    const ids: string[] = [];
    for (let k = 0; k < 24; k++) ids.push((await enqueueJob(t.db, { type: 'count', config: { k } }, k % 2 ? qa : qb)).id);
    const stop = new AbortController();
    const workers = [
      workerLoop({ db: t.db, queue: qa, jobTypes: handlers, signal: stop.signal, workerId: 'worker-a', pollMs: 20 }),
      workerLoop({ db: t.db, queue: qb, jobTypes: handlers, signal: stop.signal, workerId: 'worker-b', pollMs: 20 }),
    ];
    await waitFor(async () => (await t.db.job.count({ where: { id: { in: ids }, status: 'SUCCEEDED' } })) === ids.length, Boolean);
    stop.abort();
    const [ranA, ranB] = await Promise.all(workers);
    expect(runs.sort()).toEqual([...ids].sort());
    expect(ranA + ranB).toBe(ids.length);
    const rows = await t.db.job.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  });

  it('retries a failed attempt and records the failure', async () => {
    const q = await newQueue();
    let calls = 0;
    const handlers = registry('flaky', async () => {
      if (++calls === 1) throw new Error('out of memory, first time only');
    });
    const job = await enqueueJob(t.db, { type: 'flaky', config: {} }, q);
    await t.db.job.update({ where: { id: job.id }, data: { maxAttempts: 2 } });
    const stop = new AbortController();
    const loop = workerLoop({ db: t.db, queue: q, jobTypes: handlers, signal: stop.signal, pollMs: 50 });
    await waitFor(async () => (await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status === 'SUCCEEDED', Boolean);
    stop.abort();
    await loop;
    const row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.attempts).toBe(2);
    expect(row.log).toMatch(/failed: out of memory/);
  });

  it('a running job stops within one step when cancelled', async () => {
    const q = await newQueue();
    let stepsAfterCancel = -1;
    let cancelAt = 0;
    const handlers = registry('steps', async (ctx) => {
      for (let step = 1; step <= 1000; step++) {
        if (ctx.signal.aborted) return;
        await sleep(30);
        if (cancelAt) stepsAfterCancel++;
        await ctx.progress({ step, totalSteps: 1000, losses: { total: 1 / step } });
      }
    });
    const job = await enqueueJob(t.db, { type: 'steps', config: {} }, q);
    const stop = new AbortController();
    const loop = workerLoop({ db: t.db, queue: q, jobTypes: handlers, signal: stop.signal, pollMs: 20 });
    await waitFor(async () => ((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).progress as { step?: number } | null)?.step! >= 5, Boolean);
    cancelAt = Date.now();
    stepsAfterCancel = 0;
    expect(await requestCancel(t.db, job.id)).toBe('requested');
    await waitFor(async () => (await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status === 'CANCELLED', Boolean, 10_000);
    stop.abort();
    await loop;
    expect(stepsAfterCancel).toBeLessThanOrEqual(1);
    const row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect((row.lossHistory as unknown[]).length).toBeGreaterThanOrEqual(5);
  });

  it('fails a job whose config its type cannot parse at once, without running it or retrying', async () => {
    const q = await newQueue();
    let runs = 0;
    const handlers: JobRegistry = {
      ...jobTypes(),
      typed: defineJobType({ name: 'typed', description: 'takes a count', configSchema: z.object({ count: z.number().int().default(1) }), run: async () => void runs++ }),
    };
    // the real score job type: a version id must be a string
    const badScore = await enqueueJob(t.db, { type: 'score', config: { segmenterVersionId: 42 } }, q);
    const badTyped = await enqueueJob(t.db, { type: 'typed', config: { count: 'three' } }, q);
    const good = await enqueueJob(t.db, { type: 'typed', config: {} }, q);
    const stop = new AbortController();
    const loop = workerLoop({ db: t.db, queue: q, jobTypes: handlers, signal: stop.signal, pollMs: 20 });
    const ids = [badScore.id, badTyped.id, good.id];
    await waitFor(async () => (await t.db.job.count({ where: { id: { in: ids }, status: { in: ['FAILED', 'SUCCEEDED'] } } })) === ids.length, Boolean);
    stop.abort();
    await loop;
    const rows = new Map((await t.db.job.findMany({ where: { id: { in: ids } } })).map((r) => [r.id, r]));
    expect(rows.get(badScore.id)).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(rows.get(badScore.id)!.error).toMatch(/^invalid score config: .*segmenterVersionId/s);
    expect(rows.get(badTyped.id)).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(rows.get(badTyped.id)!.error).toMatch(/invalid typed config: .*count/s);
    expect(rows.get(good.id)).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(runs).toBe(1);
  });

  it('puts back a job whose lease expired, and fails it with the reason when no attempts are left', async () => {
    const job = await createJob(t.db, { type: 'orphan', config: {}, maxAttempts: 2 });
    const t0 = new Date();
    expect(await claimJob(t.db, job.id, 'dead-worker', 1_000, t0)).toBe(true);
    expect(await claimJob(t.db, job.id, 'other-worker', 1_000, t0)).toBe(false);
    expect(await reapExpiredLeases(t.db, new Date(t0.getTime() + 500))).toEqual([]);
    expect(await reapExpiredLeases(t.db, new Date(t0.getTime() + 1_500))).toEqual([job.id]);
    let row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.status).toBe('QUEUED');
    expect(row.error).toMatch(/dead-worker stopped responding/);
    const t1 = new Date(t0.getTime() + 2_000);
    expect(await claimJob(t.db, job.id, 'dead-again', 1_000, t1)).toBe(true);
    expect(await reapExpiredLeases(t.db, new Date(t1.getTime() + 1_500))).toEqual([]);
    row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.status).toBe('FAILED');
    expect(row.error).toMatch(/no attempts left/);
  });

  it('never queues two training jobs for the same model at once', async () => {
    const first = await createJob(t.db, { type: 'train-segmenter', config: {}, modelKind: 'segmenter' });
    await expect(createJob(t.db, { type: 'train-segmenter', config: {}, modelKind: 'segmenter' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(createJob(t.db, { type: 'train-classifier', config: {}, modelKind: 'classifier' })).resolves.toBeTruthy();
    expect(await claimJob(t.db, first.id, 'w')).toBe(true);
    await endJob(t.db, first.id, 'w', 'SUCCEEDED');
    await expect(createJob(t.db, { type: 'train-segmenter', config: {}, modelKind: 'segmenter' })).resolves.toBeTruthy();
  });
}

describe('job queue on SQLite', () => suite('sqlite'));
const pg = await testPostgres();
describe.skipIf(!pg.available)('job queue on PostgreSQL (pg-boss)', () => suite('postgresql'));
