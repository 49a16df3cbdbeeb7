import type { z } from 'zod';
import type { Db } from '@/lib/db/client';

export interface JobProgress {
  step?: number;
  totalSteps?: number;
  epoch?: number;
  totalEpochs?: number;
  losses?: Record<string, number>;
  etaS?: number;
  message?: string;
  /** What a job type reports beyond steps (an import: its layout, summary and per-file errors). */
  detail?: Record<string, unknown>;
}

export interface JobContext {
  db: Db;
  jobId: string;
  type: string;
  /** When the job was queued: what a retry can tell its own earlier work by (a score job's predictions). */
  queuedAt: Date;
  /** 1 for the first run, 2 after one retry, … */
  attempt: number;
  workerId: string;
  /** Aborted when the job is cancelled or the worker shuts down: handlers stop within one step. */
  signal: AbortSignal;
  progress(p: JobProgress): Promise<void>;
  log(line: string): Promise<void>;
}

export interface JobOutcome {
  resultVersionId?: string;
  message?: string;
}

/**
 * A job type as the worker's registry holds it (MONAI Label's task with its `info()`): what it is called, what it
 * does (for people), the schema of its config, and how it runs. The worker parses every job's config with the
 * schema before `run` (lib/jobs/worker.ts): a config that does not parse fails the job at once, never retried.
 */
export interface JobType<Config = unknown> {
  name: string;
  description: string;
  configSchema: z.ZodType<Config>;
  run(ctx: JobContext, config: Config): Promise<JobOutcome | void>;
}

/** Declares a job type, typing `run`'s config by the schema's output (defaults applied). */
export function defineJobType<S extends z.ZodType>(type: { name: string; description: string; configSchema: S; run(ctx: JobContext, config: z.output<S>): Promise<JobOutcome | void> }): JobType<z.output<S>> {
  return type as JobType<z.output<S>>;
}

/** The job types a worker runs, by name (`run` is a method, so an entry with its own config type fits). */
export type JobRegistry = Readonly<Record<string, JobType>>;

/** Thrown by handlers for errors a retry cannot fix (bad config, no training data): the job fails at once. */
export class PermanentJobError extends Error {}
