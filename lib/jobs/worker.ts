/**
 * The worker loop: put back jobs whose worker died, claim the next job, parse its config with its job type's
 * schema, run it with a heartbeat that keeps the lease and notices cancellation, and record how it ended. Several
 * workers (processes or hosts) can run this loop against one database: the row claim in lib/jobs/store.ts
 * guarantees each job runs once at a time.
 */
import { hostname } from 'node:os';
import { inspect } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import type { JobQueue } from './queue';
import { appendLog, claimJob, DEFAULT_LEASE_MS, endJob, failAttempt, heartbeat, isCancelRequested, reapExpiredLeases, reportProgress } from './store';
import { PermanentJobError, type JobContext, type JobRegistry, type JobType } from './types';

export interface WorkerOptions {
  db: Db;
  queue: JobQueue;
  jobTypes: JobRegistry;
  signal: AbortSignal;
  log?: (line: string) => void;
  workerId?: string;
  pollMs?: number;
  leaseMs?: number;
  /** Stop after this many jobs (tests). */
  maxJobs?: number;
}

export const defaultWorkerId = () => `${hostname()}:${process.pid}`;

class Cancelled extends Error {}

export async function workerLoop(options: WorkerOptions): Promise<number> {
  const { db, queue, jobTypes, signal, log = () => undefined, pollMs = 1_000, leaseMs = DEFAULT_LEASE_MS } = options;
  const workerId = options.workerId ?? defaultWorkerId();
  const types = Object.keys(jobTypes);
  log(`worker ${workerId} ready (${queue.kind}); job types: ${types.join(', ') || 'none'}`);
  let ran = 0;
  while (!signal.aborted && (options.maxJobs === undefined || ran < options.maxJobs)) {
    let claimed: string | null = null;
    try {
      for (const id of await reapExpiredLeases(db)) {
        const job = await db.job.findUnique({ where: { id }, select: { type: true } });
        if (job) await queue.publish(id, job.type);
        log(`job ${id}: its worker stopped responding; queued again`);
      }
      for (const id of await queue.candidates(types, 8)) {
        if (await claimJob(db, id, workerId, leaseMs)) {
          claimed = id;
          break;
        }
      }
    } catch (error) {
      // A database or queue hiccup must not kill the worker: say so and try again after the poll interval.
      log(`could not poll for jobs: ${inspect(error, { depth: 2 }).slice(0, 1500)}`);
    }
    if (!claimed) {
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
      continue;
    }
    await runJob(db, queue, claimed, workerId, jobTypes, signal, leaseMs, log);
    ran++;
  }
  log('stopped');
  return ran;
}

/**
 * The job's config as its type's schema reads it (defaults applied). The same for every type, before anything runs:
 * a config that does not parse will not parse on a retry either, so the job fails at once.
 */
export function parseJobConfig(jobType: JobType, config: unknown): unknown {
  const parsed = jobType.configSchema.safeParse(config ?? {});
  if (!parsed.success) throw new PermanentJobError(`invalid ${jobType.name} config: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

async function runJob(db: Db, queue: JobQueue, jobId: string, workerId: string, jobTypes: JobRegistry, shutdown: AbortSignal, leaseMs: number, log: (line: string) => void) {
  const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
  const jobType = jobTypes[job.type];
  const controller = new AbortController();
  const onShutdown = () => controller.abort(new Error('worker shutting down'));
  shutdown.addEventListener('abort', onShutdown);
  let lostLease = false;
  let cancelled = false;
  // Heartbeats keep the lease well inside its expiry and notice a cancel between progress reports.
  const beat = setInterval(() => {
    void heartbeat(db, jobId, workerId, leaseMs).then((state) => {
      if (!state) {
        lostLease = true;
        controller.abort(new Error('lease lost'));
      } else if (state.cancelRequested) {
        cancelled = true;
        controller.abort(new Cancelled('cancelled by a user'));
      }
    }, () => undefined);
  }, Math.max(200, Math.floor(leaseMs / 4)));
  const ctx: JobContext = {
    db,
    jobId,
    type: job.type,
    queuedAt: job.createdAt,
    attempt: job.attempts,
    workerId,
    signal: controller.signal,
    // Progress comes once per training step: the cheapest place to see a cancel "within one step".
    progress: async (p) => {
      await reportProgress(db, jobId, p);
      if (await isCancelRequested(db, jobId)) {
        cancelled = true;
        controller.abort(new Cancelled('cancelled by a user'));
      }
    },
    log: (line) => appendLog(db, jobId, line),
  };
  log(`job ${jobId} (${job.type}) attempt ${job.attempts} started`);
  try {
    if (!jobType) throw new PermanentJobError(`no handler for job type ${job.type}`);
    await appendLog(db, jobId, `attempt ${job.attempts} started on ${workerId}`);
    const outcome = await jobType.run(ctx, parseJobConfig(jobType, job.config));
    if (cancelled || controller.signal.aborted) throw controller.signal.reason ?? new Cancelled('cancelled');
    if (outcome?.message) await appendLog(db, jobId, outcome.message);
    await endJob(db, jobId, workerId, 'SUCCEEDED', { resultVersionId: outcome?.resultVersionId });
    log(`job ${jobId} succeeded`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (lostLease) {
      log(`job ${jobId}: lease lost; another worker may run it`);
    } else if (cancelled) {
      await appendLog(db, jobId, 'cancelled');
      await endJob(db, jobId, workerId, 'CANCELLED');
      log(`job ${jobId} cancelled`);
    } else if (shutdown.aborted) {
      // Shutting down: hand the job back at once rather than waiting for the lease to expire.
      await appendLog(db, jobId, 'worker stopped; job queued again');
      if ((await failAttempt(db, jobId, workerId, 'worker stopped during the job')) === 'retried') await queue.publish(jobId, job.type);
    } else {
      await appendLog(db, jobId, `failed: ${message}`);
      const result = await failAttempt(db, jobId, workerId, message, error instanceof PermanentJobError);
      if (result === 'retried') await queue.publish(jobId, job.type);
      log(`job ${jobId} ${result === 'retried' ? 'failed, will retry' : 'failed'}: ${message}`);
    }
  } finally {
    clearInterval(beat);
    shutdown.removeEventListener('abort', onShutdown);
  }
}
