import { describe, expect, it } from 'vitest';
import { AutosaveController, type SavePayload, type SaveStatus, type SendResult } from './autosave';
import type { EditorDoc } from './document';

const doc = (n: number): EditorDoc => ({ polygons: [], sliceClass: `class-${n}`, unsure: false });

function memoryStorage() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k), map };
}

/** Timers run only when the test says so, so the order of events is exact. */
function manualTimers() {
  const queue: { fn: () => void; ms: number }[] = [];
  return {
    setTimer: (fn: () => void, ms: number) => {
      const t = { fn, ms };
      queue.push(t);
      return t;
    },
    clearTimer: (t: unknown) => {
      const i = queue.indexOf(t as (typeof queue)[number]);
      if (i >= 0) queue.splice(i, 1);
    },
    async runNext() {
      queue.shift()!.fn();
      await new Promise((r) => setTimeout(r, 0));
    },
    async runAll() {
      while (queue.length) {
        queue.shift()!.fn();
        await new Promise((r) => setTimeout(r, 0));
      }
    },
    queue,
  };
}

function setup(send: (p: SavePayload) => Promise<SendResult>) {
  const storage = memoryStorage();
  const timers = manualTimers();
  const statuses: SaveStatus[] = [];
  const saved: number[] = [];
  const ctl = new AutosaveController(
    { send, storage, storageKey: 'k', onStatus: (s) => statuses.push(s), onSaved: (v) => saved.push(v), ...timers },
    3,
    {},
  );
  return { ctl, storage, timers, statuses, saved };
}

describe('AutosaveController', () => {
  it('keeps each change locally at once, sends only the latest after the delay, and clears it when confirmed', async () => {
    const sent: SavePayload[] = [];
    const { ctl, storage, timers, statuses, saved } = setup(async (p) => {
      sent.push(p);
      return { kind: 'ok', version: p.baseVersion + 1, ids: { a: 'db-a' } };
    });
    ctl.change(doc(1));
    expect(JSON.parse(storage.map.get('k')!).doc).toEqual(doc(1));
    ctl.change(doc(2));
    expect(timers.queue).toHaveLength(1);
    await timers.runAll();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ baseVersion: 3, doc: doc(2) });
    expect(saved).toEqual([4]);
    expect(storage.map.has('k')).toBe(false);
    expect(statuses.at(-1)).toBe('saved');
    ctl.change(doc(3));
    await timers.runAll();
    expect(sent[1]).toMatchObject({ baseVersion: 4, ids: { a: 'db-a' } });
  });

  it('goes offline on a network failure, keeps the work, and delivers it when the server is back', async () => {
    let online = false;
    const { ctl, storage, timers, statuses } = setup(async (p) => {
      if (!online) throw new TypeError('Failed to fetch');
      return { kind: 'ok', version: p.baseVersion + 1, ids: {} };
    });
    ctl.change(doc(1));
    await timers.runNext();
    expect(statuses.at(-1)).toBe('offline');
    expect(timers.queue).toHaveLength(1); // a retry is scheduled
    await timers.runNext();
    expect(statuses.at(-1)).toBe('offline');
    expect(AutosaveController.pending(storage, 'k')?.doc).toEqual(doc(1));
    online = true;
    ctl.retryNow();
    await timers.runAll();
    expect(statuses.at(-1)).toBe('saved');
    expect(storage.map.has('k')).toBe(false);
  });

  it('stops on a conflict until the user chooses; keeping mine re-sends on the server version', async () => {
    const sent: SavePayload[] = [];
    let conflictOnce = true;
    const { ctl, timers, statuses } = setup(async (p) => {
      sent.push(p);
      if (conflictOnce) {
        conflictOnce = false;
        return { kind: 'conflict', current: { version: 9 }, version: 9 };
      }
      return { kind: 'ok', version: p.baseVersion + 1, ids: {} };
    });
    ctl.change(doc(1));
    await timers.runAll();
    expect(statuses.at(-1)).toBe('conflict');
    ctl.change(doc(2));
    expect(timers.queue).toHaveLength(0);
    ctl.keepMine(9);
    await timers.runAll();
    expect(sent.at(-1)).toMatchObject({ baseVersion: 9, doc: doc(2) });
    expect(statuses.at(-1)).toBe('saved');
  });

  it('discarding mine drops the local copy and continues from the server version', async () => {
    const { ctl, storage, timers, statuses } = setup(async () => ({ kind: 'conflict', current: {}, version: 7 }));
    ctl.change(doc(1));
    await timers.runAll();
    ctl.discardMine(7, {});
    expect(storage.map.has('k')).toBe(false);
    expect(ctl.baseVersion).toBe(7);
    expect(ctl.hasUnsaved).toBe(false);
    expect(statuses.at(-1)).toBe('saved');
  });

  it('a save with refused polygons stores the rest, keeps the work locally with status error, and sends again on the next edit', async () => {
    let refuse = true;
    const { ctl, storage, timers, statuses, saved } = setup(async (p) => ({ kind: 'ok', version: p.baseVersion + 1, ids: {}, ...(refuse ? { refused: [{ key: 'x', message: 'polygon 1 (GGO) intersects itself (edges 0 and 2)' }] } : {}) }));
    ctl.change(doc(1));
    await timers.runAll();
    expect(saved).toEqual([4]);
    expect(statuses.at(-1)).toBe('error');
    expect(ctl.hasUnsaved).toBe(true);
    expect(JSON.parse(storage.map.get('k')!)).toMatchObject({ baseVersion: 4, doc: doc(1) });
    expect(timers.queue).toHaveLength(0); // no retry loop: only an edit can fix it
    refuse = false;
    ctl.change(doc(2));
    await timers.runAll();
    expect(statuses.at(-1)).toBe('saved');
    expect(storage.map.has('k')).toBe(false);
  });
});
