/** What the model jobs share: the backend, where models live, progress forwarding, atomic model folders. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProgressEvent } from '@/lib/model/train/loop';
import { selectBackend } from '@/lib/model/backend';
import { dataDir } from '@/lib/paths';
import type { JobContext } from '../types';

export async function prepareBackend(ctx: JobContext): Promise<void> {
  const backend = await selectBackend();
  await ctx.log(backend.logLine);
}

/** Cores a job computes on: what it asked for, else CTMS_JOB_CORES, else every core of the machine. */
export function jobCores(requested?: number, env: Record<string, string | undefined> = process.env): number {
  if (requested) return requested;
  const fromEnv = Number(env.CTMS_JOB_CORES);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism();
}

/** Model folders, relative to the data folder (what ModelVersion.path stores). */
export const modelPath = (kind: string, name: string) => path.join('models', kind, name);
export const absolute = (rel: string) => path.join(dataDir(), rel);
/** A job's scratch folder (checkpoints, caches), kept across retries of the same job. */
export const jobDir = (jobId: string) => path.join(dataDir(), 'jobs', jobId);

/**
 * Writes a model folder so that it is never seen half-written: into a temporary sibling first, then renamed into
 * place in one step. Returns the relative path.
 */
export function writeModelAtomically(kind: string, name: string, write: (dir: string) => void): string {
  const rel = modelPath(kind, name);
  const final = absolute(rel);
  const tmp = `${final}.partial-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  write(tmp);
  fs.mkdirSync(path.dirname(final), { recursive: true });
  fs.renameSync(tmp, final);
  return rel;
}

/**
 * Forwards the trainer's synchronous progress events to the job row in order, one write at a time (a slow
 * database never queues up writes), and always the latest event.
 */
export function progressForwarder(ctx: JobContext, totalEpochs?: number) {
  let pending: ProgressEvent | null = null;
  let running: Promise<void> | null = null;
  const flush = async () => {
    while (pending) {
      const e = pending;
      pending = null;
      await ctx.progress({ step: e.step, totalSteps: e.totalSteps ?? undefined, epoch: e.epoch + 1, totalEpochs, losses: { ...e.losses, total: e.losses.loss }, etaS: e.etaS ?? undefined });
    }
    running = null;
  };
  return {
    onProgress(e: ProgressEvent) {
      pending = e;
      running ??= flush().catch(() => {
        running = null;
      });
    },
    async done() {
      await running;
    },
  };
}
