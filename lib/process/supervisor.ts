/**
 * Keeps a child process running: when it exits on its own it is started again after a back-off that doubles with
 * each quick failure (1 s, 2 s, 4 s, … up to `maxDelayMs`) and resets once a run has lasted `stableMs`. Used by
 * `npm start` for the worker, so a crashed worker never takes the web server down with it.
 */
import type { ChildProcess } from 'node:child_process';

export interface SupervisorOptions {
  name: string;
  start: () => ChildProcess;
  log?: (line: string) => void;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** A run this long counts as healthy: the next crash restarts after the first delay again. */
  stableMs?: number;
}

export interface Supervisor {
  /** Restarts so far. */
  readonly restarts: number;
  readonly current: ChildProcess | null;
  /** Stops supervising and ends the child (SIGTERM); resolves when it has exited. */
  stop(): Promise<void>;
}

/** The wait before restart number `failures` (1-based) of a child that keeps failing quickly. */
export function restartDelayMs(failures: number, firstDelayMs = 1_000, maxDelayMs = 60_000): number {
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.max(0, failures - 1));
}

export function supervise({ name, start, log = console.log, firstDelayMs = 1_000, maxDelayMs = 60_000, stableMs = 60_000 }: SupervisorOptions): Supervisor {
  let child: ChildProcess | null = null;
  let stopped = false;
  let failures = 0;
  let restarts = 0;
  let timer: NodeJS.Timeout | null = null;

  const launch = () => {
    const startedAt = Date.now();
    const running = start();
    child = running;
    running.once('exit', (code, signal) => {
      if (child === running) child = null;
      if (stopped) return;
      failures = Date.now() - startedAt >= stableMs ? 1 : failures + 1;
      const delay = restartDelayMs(failures, firstDelayMs, maxDelayMs);
      log(`[start] ${name} exited (${signal ?? code}); restarting in ${(delay / 1000).toFixed(1)} s`);
      timer = setTimeout(() => {
        timer = null;
        if (stopped) return;
        restarts++;
        launch();
      }, delay);
    });
  };
  launch();

  return {
    get restarts() {
      return restarts;
    },
    get current() {
      return child;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      });
    },
  };
}
