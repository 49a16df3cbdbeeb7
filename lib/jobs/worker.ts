import { setTimeout as sleep } from 'node:timers/promises';

export interface WorkerOptions {
  signal: AbortSignal;
  log: (line: string) => void;
  /** How often to look for work. */
  pollMs?: number;
  /** The job handlers by type; none are registered until the jobs issue lands. */
  handlers?: Record<string, (signal: AbortSignal) => Promise<void>>;
}

/** Polls for jobs until aborted. With no handlers registered it idles, so the process shape is already final. */
export async function workerLoop({ signal, log, pollMs = 5_000, handlers = {} }: WorkerOptions): Promise<void> {
  const types = Object.keys(handlers);
  log(types.length ? `ready; job types: ${types.join(', ')}` : 'ready; no job types registered yet, idling');
  while (!signal.aborted) {
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
  log('stopped');
}
