import { describe, expect, it } from 'vitest';
import { readAhead } from './readAhead';

/** A start function whose items finish when the test says so, logging when each was started. */
function controlled() {
  const started: number[] = [];
  const finish = new Map<number, (v: string) => void>();
  const fail = new Map<number, (e: Error) => void>();
  const start = (n: number) => {
    started.push(n);
    return new Promise<string>((resolve, reject) => {
      finish.set(n, resolve);
      fail.set(n, reject);
    });
  };
  return { started, finish, fail, start };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('readAhead', () => {
  it('hands results back in input order even when later items finish first', async () => {
    const delays = [30, 5, 15, 0];
    const out: number[] = [];
    for await (const v of readAhead(delays, (ms) => new Promise<number>((r) => setTimeout(() => r(ms), ms)), 2)) out.push(v);
    expect(out).toEqual(delays);
  });

  it('prepares exactly one item ahead of the one in hand (bounded memory)', async () => {
    const c = controlled();
    const it = readAhead([0, 1, 2, 3], c.start)[Symbol.asyncIterator]();
    const first = it.next();
    await tick();
    expect(c.started).toEqual([0]);
    c.finish.get(0)!('a');
    expect(await first).toEqual({ value: 'a', done: false });
    // while the caller holds item 0, item 1 is being prepared, item 2 not yet
    expect(c.started).toEqual([0, 1]);
    const second = it.next();
    c.finish.get(1)!('b');
    expect(await second).toEqual({ value: 'b', done: false });
    expect(c.started).toEqual([0, 1, 2]);
    const third = it.next();
    c.finish.get(2)!('c');
    await third;
    const fourth = it.next();
    c.finish.get(3)!('d');
    expect(await fourth).toEqual({ value: 'd', done: false });
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('with ahead 0 runs one item at a time, and yields nothing for no items', async () => {
    const c = controlled();
    const it = readAhead([0, 1], c.start, 0)[Symbol.asyncIterator]();
    const first = it.next();
    await tick();
    c.finish.get(0)!('a');
    await first;
    expect(c.started).toEqual([0]);
    const second = it.next();
    await tick();
    expect(c.started).toEqual([0, 1]);
    c.finish.get(1)!('b');
    await second;
    const none: unknown[] = [];
    for await (const v of readAhead([], c.start)) none.push(v);
    expect(none).toEqual([]);
    await expect(readAhead([1], c.start, -1).next()).rejects.toThrow(/ahead/);
  });

  it('passes a failure on at its place, and an early stop leaves no unhandled rejection behind', async () => {
    const c = controlled();
    const it = readAhead([0, 1, 2], c.start)[Symbol.asyncIterator]();
    const first = it.next();
    await tick();
    c.fail.get(0)!(new Error('unreadable'));
    await expect(first).rejects.toThrow('unreadable');
    // a caller that stops while an item is in flight: that item's later failure is swallowed
    const d = controlled();
    const early = readAhead([0, 1], d.start)[Symbol.asyncIterator]();
    const got = early.next();
    await tick();
    d.finish.get(0)!('a');
    await got;
    await early.return(undefined);
    d.fail.get(1)!(new Error('nobody listens'));
    await tick();
  });
});
