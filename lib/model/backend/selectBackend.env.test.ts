// Its own file: backend selection happens once per process (vitest runs each file in a fresh fork).
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import * as tf from '@/lib/model/tf';
import { selectBackend } from './selectBackend';

const saved = process.env.CTMS_TF_BACKEND;
beforeAll(() => {
  process.env.CTMS_TF_BACKEND = 'cpu';
});
afterAll(() => {
  if (saved === undefined) delete process.env.CTMS_TF_BACKEND;
  else process.env.CTMS_TF_BACKEND = saved;
});

it('CTMS_TF_BACKEND=cpu overrides the automatic choice (wasm would be available here)', async () => {
  const lines: string[] = [];
  const s = await selectBackend({ log: (l) => lines.push(l) });
  expect(s).toMatchObject({ name: 'cpu', tfBackend: 'cpu', chosenBy: 'env', skipped: [] });
  expect(tf.getBackend()).toBe('cpu');
  expect(lines).toEqual(['[model] backend=cpu (1 thread) — set by CTMS_TF_BACKEND=cpu']);
  // and no second line from tfjs itself (its "install tfjs-node" banner)
  const warn = vi.spyOn(console, 'warn');
  tf.tidy(() => tf.ones([2]).add(1).dataSync());
  expect(warn).not.toHaveBeenCalled();
  warn.mockRestore();
});
