import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@/lib/testing/wait';
import { restartDelayMs, supervise } from './supervisor';

describe('worker supervisor', () => {
  it('doubles the back-off up to its cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => restartDelayMs(n, 1_000, 8_000))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it('restarts a child that crashes (SIGKILL or an error exit), with back-off, and stops when told', async () => {
    const lines: string[] = [];
    const started: number[] = [];
    const sup = supervise({
      name: 'worker',
      start: () => {
        started.push(Date.now());
        // Lives until killed on the first run; exits with an error at once on the second.
        return spawn(process.execPath, ['-e', started.length === 1 ? 'setInterval(() => {}, 1000)' : 'process.exit(3)'], { stdio: 'ignore' });
      },
      log: (l) => lines.push(l),
      firstDelayMs: 50,
      maxDelayMs: 400,
    });
    await waitFor(async () => sup.current?.pid, Boolean);
    sup.current!.kill('SIGKILL');
    await waitFor(async () => sup.restarts, (n) => n >= 3, 10_000);
    expect(lines[0]).toMatch(/worker exited \(SIGKILL\); restarting in 0\.1 s/);
    expect(lines.some((l) => /exited \(3\)/.test(l))).toBe(true);
    // Quick failures wait longer and longer.
    const gaps = started.slice(1).map((t, k) => t - started[k]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
    await sup.stop();
    const after = sup.restarts;
    await new Promise((r) => setTimeout(r, 600));
    expect(sup.restarts).toBe(after);
  });
});
