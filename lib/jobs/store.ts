/**
 * The Job row's life: created QUEUED, claimed RUNNING by exactly one worker (a conditional update), kept alive by
 * heartbeats that extend its lease, and ended SUCCEEDED / FAILED / CANCELLED. A worker that dies stops
 * heartbeating; `reapExpiredLeases` then puts the job back in the queue (bounded by maxAttempts) or fails it with
 * the reason. These transitions are the same on SQLite and PostgreSQL; only how a worker finds the next job differs
 * (lib/jobs/queue.ts).
 */
import type { Db } from '@/lib/db/client';
import { conflict } from '@/lib/errors';
import type { JobProgress } from './types';

/** How long a claimed job stays a worker's without a heartbeat. */
export const DEFAULT_LEASE_MS = Number(process.env.CTMS_JOB_LEASE_MS ?? 30_000);
/** Retry back-off: attempt n waits n × this before it can be claimed again. */
const RETRY_DELAY_MS = 2_000;
/** The log keeps its last part: enough to read, bounded so a chatty job cannot bloat the row. */
const MAX_LOG_CHARS = 200_000;
const MAX_LOSS_POINTS = 2_000;

export interface NewJob {
  type: string;
  config: unknown;
  createdById?: string | null;
  /** For training jobs: the model they train; at most one such job per model is queued or running. */
  modelKind?: string;
  maxAttempts?: number;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

export async function createJob(db: Db, job: NewJob) {
  try {
    return await db.job.create({
      data: {
        type: job.type,
        config: job.config as object,
        createdById: job.createdById ?? null,
        modelKind: job.modelKind ?? null,
        exclusiveKey: job.modelKind ?? null,
        maxAttempts: job.maxAttempts ?? 3,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A ${job.modelKind} training job is already queued or running`);
    throw error;
  }
}

/** Takes a QUEUED job for `workerId`; false when someone else got it first (or it was cancelled). */
export async function claimJob(db: Db, jobId: string, workerId: string, leaseMs = DEFAULT_LEASE_MS, now = new Date()): Promise<boolean> {
  const claimed = await db.job.updateMany({
    where: { id: jobId, status: 'QUEUED', runAfter: { lte: now } },
    data: {
      status: 'RUNNING',
      attempts: { increment: 1 },
      leaseOwner: workerId,
      leaseExpiresAt: new Date(now.getTime() + leaseMs),
      heartbeatAt: now,
      startedAt: now,
    },
  });
  return claimed.count === 1;
}

/** Extends the lease; null when the worker no longer owns the job (it expired and was taken back). */
export async function heartbeat(db: Db, jobId: string, workerId: string, leaseMs = DEFAULT_LEASE_MS, now = new Date()): Promise<{ cancelRequested: boolean } | null> {
  const updated = await db.job.updateMany({
    where: { id: jobId, status: 'RUNNING', leaseOwner: workerId },
    data: { leaseExpiresAt: new Date(now.getTime() + leaseMs), heartbeatAt: now },
  });
  if (updated.count === 0) return null;
  const row = await db.job.findUnique({ where: { id: jobId }, select: { cancelRequested: true } });
  return { cancelRequested: row?.cancelRequested ?? false };
}

export async function isCancelRequested(db: Db, jobId: string): Promise<boolean> {
  return (await db.job.findUnique({ where: { id: jobId }, select: { cancelRequested: true } }))?.cancelRequested ?? false;
}

type EndStatus = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** Ends a job the worker owns; false if it lost the lease meanwhile (then the result is not recorded). */
export async function endJob(db: Db, jobId: string, workerId: string, status: EndStatus, extra: { error?: string; resultVersionId?: string } = {}): Promise<boolean> {
  const ended = await db.job.updateMany({
    where: { id: jobId, status: 'RUNNING', leaseOwner: workerId },
    data: { status, finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null, exclusiveKey: null, ...extra },
  });
  return ended.count === 1;
}

/** A failed attempt: back to the queue with a delay while attempts remain, else FAILED with the reason. */
export async function failAttempt(db: Db, jobId: string, workerId: string, reason: string, permanent = false): Promise<'retried' | 'failed' | 'lost'> {
  const job = await db.job.findUnique({ where: { id: jobId }, select: { attempts: true, maxAttempts: true } });
  if (!job) return 'lost';
  if (permanent || job.attempts >= job.maxAttempts) return (await endJob(db, jobId, workerId, 'FAILED', { error: reason })) ? 'failed' : 'lost';
  const requeued = await db.job.updateMany({
    where: { id: jobId, status: 'RUNNING', leaseOwner: workerId },
    data: { status: 'QUEUED', leaseOwner: null, leaseExpiresAt: null, error: reason, runAfter: new Date(Date.now() + RETRY_DELAY_MS * job.attempts) },
  });
  return requeued.count === 1 ? 'retried' : 'lost';
}

/**
 * Jobs whose worker stopped heartbeating: requeued while attempts remain, else failed with the reason.
 * Returns the ids put back in the queue (the PostgreSQL queue republishes them).
 */
export async function reapExpiredLeases(db: Db, now = new Date()): Promise<string[]> {
  const expired = await db.job.findMany({
    where: { status: 'RUNNING', leaseExpiresAt: { lt: now } },
    select: { id: true, attempts: true, maxAttempts: true, leaseOwner: true },
  });
  const requeued: string[] = [];
  for (const job of expired) {
    const reason = `worker ${job.leaseOwner ?? '?'} stopped responding (lease expired) during attempt ${job.attempts}`;
    const retry = job.attempts < job.maxAttempts;
    const updated = await db.job.updateMany({
      where: { id: job.id, status: 'RUNNING', leaseExpiresAt: { lt: now } },
      data: retry
        ? { status: 'QUEUED', leaseOwner: null, leaseExpiresAt: null, error: reason, runAfter: now }
        : { status: 'FAILED', leaseOwner: null, leaseExpiresAt: null, exclusiveKey: null, error: `${reason}; no attempts left`, finishedAt: now },
    });
    if (updated.count === 1) {
      await appendLog(db, job.id, retry ? `${reason}; queued again` : `${reason}; failed after ${job.attempts} attempts`);
      if (retry) requeued.push(job.id);
    }
  }
  return requeued;
}

/** Cancel: a queued job ends at once; a running one is asked to stop (its worker sees it within a step). */
export async function requestCancel(db: Db, jobId: string): Promise<'cancelled' | 'requested' | 'finished' | 'missing'> {
  const queued = await db.job.updateMany({
    where: { id: jobId, status: 'QUEUED' },
    data: { status: 'CANCELLED', cancelRequested: true, finishedAt: new Date(), exclusiveKey: null },
  });
  if (queued.count === 1) return 'cancelled';
  const running = await db.job.updateMany({ where: { id: jobId, status: 'RUNNING' }, data: { cancelRequested: true } });
  if (running.count === 1) return 'requested';
  return (await db.job.findUnique({ where: { id: jobId }, select: { id: true } })) ? 'finished' : 'missing';
}

export async function appendLog(db: Db, jobId: string, line: string): Promise<void> {
  const row = await db.job.findUnique({ where: { id: jobId }, select: { log: true } });
  if (!row) return;
  const stamped = `${new Date().toISOString()} ${line}\n`;
  const log = (row.log + stamped).slice(-MAX_LOG_CHARS);
  await db.job.update({ where: { id: jobId }, data: { log } });
}

export async function reportProgress(db: Db, jobId: string, progress: JobProgress): Promise<void> {
  const lossValue = progress.losses ? (progress.losses.total ?? Object.values(progress.losses).reduce((a, b) => a + b, 0)) : undefined;
  if (lossValue === undefined || progress.step === undefined) {
    await db.job.update({ where: { id: jobId }, data: { progress: progress as object } });
    return;
  }
  const row = await db.job.findUnique({ where: { id: jobId }, select: { lossHistory: true } });
  const history = ((row?.lossHistory as { step: number; epoch?: number; loss: number }[] | null) ?? []).concat({ step: progress.step, epoch: progress.epoch, loss: lossValue });
  // Keep every point while short; thin out evenly when long, so the chart stays light.
  const thinned = history.length > MAX_LOSS_POINTS ? history.filter((_, k) => k % 2 === 0 || k === history.length - 1) : history;
  await db.job.update({ where: { id: jobId }, data: { progress: progress as object, lossHistory: thinned as object } });
}
