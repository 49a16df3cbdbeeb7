import type { Db } from '@/lib/db/client';

/** The job types the worker runs (one handler each, in lib/jobs/handlers/). */
export const JOB_TYPES = ['train-segmenter', 'train-classifier', 'score', 'evaluate', 'import', 'import-dicomweb'] as const;
export type JobType = (typeof JOB_TYPES)[number];

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
  config: unknown;
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

export type JobHandler = (ctx: JobContext) => Promise<JobOutcome | void>;
export type JobHandlers = Partial<Record<string, JobHandler>>;

/** Thrown by handlers for errors a retry cannot fix (bad config, no training data): the job fails at once. */
export class PermanentJobError extends Error {}
