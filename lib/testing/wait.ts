import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `read` until `ok` holds (for state another process or the worker changes); throws with the last value. */
export async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms; last value ${JSON.stringify(value)?.slice(0, 300)}`);
    await sleep(everyMs);
  }
}
