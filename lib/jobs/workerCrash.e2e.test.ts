/**
 * A worker killed mid-job (a real child process, SIGKILL): its lease expires, another worker runs the job again
 * from its last checkpoint, and the active model does not change until the new version is promoted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPath } from '@/lib/import/importPath';
import { repoRoot } from '@/lib/paths';
import { haveMedseg, medsegDir, medsegImages, medsegMasks, stageMedseg } from '@/lib/testing/medseg';
import { waitFor } from '@/lib/testing/wait';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { TableQueue } from './queue';
import { enqueueJob } from './service';

if (!haveMedseg) console.warn(`skipping the worker crash test: no ${medsegDir}`);

describe.skipIf(!haveMedseg)('worker killed mid-job', () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-crash-'));
  const children: ChildProcess[] = [];
  const startWorker = () => {
    // `node --import tsx` runs the worker in this very process (the tsx CLI would fork a child SIGKILL cannot reach).
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: repoRoot(),
      env: { ...process.env, DATABASE_URL: t.url, DATA_DIR: path.join(work, 'data'), CTMS_JOB_LEASE_MS: '3000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', () => undefined);
    child.stderr!.on('data', () => undefined);
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    process.env.DATA_DIR = path.join(work, 'data');
    t = await createTestDb('sqlite');
    const images = stageMedseg(path.join(work, 'images'), medsegImages().slice(0, 6));
    expect((await importPath(t.db, images, { masksDir: medsegMasks, studyFrom: 'file' })).errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await t?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('retries the job on another worker and promotes only the finished model', async () => {
    // An active model from before, which must stay active while the job is in flight.
    const previous = await t.db.modelVersion.create({ data: { kind: 'segmenter', number: 1, path: 'models/segmenter/old', config: {}, metrics: {}, gateMetric: -1, trainingSummary: {}, labelledSlices: 1, active: true } });
    const job = await enqueueJob(t.db, { type: 'train-segmenter', config: { preset: 'tiny', epochs: 3, timeBudgetMin: 0.5, fineTune: false }, modelKind: 'segmenter' }, new TableQueue(t.db));
    const first = startWorker();
    await waitFor(() => t.db.job.findUniqueOrThrow({ where: { id: job.id } }), (j) => ((j.progress as { step?: number } | null)?.step ?? 0) >= 2, 180_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect((await t.db.modelVersion.findFirstOrThrow({ where: { kind: 'segmenter', active: true } })).id).toBe(previous.id);

    startWorker();
    const done = await waitFor(() => t.db.job.findUniqueOrThrow({ where: { id: job.id } }), (j) => j.status === 'SUCCEEDED' || j.status === 'FAILED', 300_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts).toBe(2);
    expect(done.log).toMatch(/stopped responding \(lease expired\)/);
    const active = await t.db.modelVersion.findFirstOrThrow({ where: { kind: 'segmenter', active: true } });
    expect(active.jobId).toBe(job.id);
    expect(existsSync(path.join(work, 'data', active.path, 'config.json'))).toBe(true);
  }, 600_000);
});
