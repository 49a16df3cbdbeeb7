import { describe, expect, it } from 'vitest';
import type { SavePayload } from './autosave';
import { editorApi, type Fetch } from './editorApi';

const payload: SavePayload = {
  baseVersion: 3,
  doc: { polygons: [{ key: 'k1', lesionClass: 'GGO', points: [[0, 0], [4, 0], [0, 4]], holes: [], source: 'HUMAN' }], sliceClass: 'COVID', unsure: false },
  ids: {},
};

/** A fetch that answers every request with this status and body, recording what was asked. */
function answering(status: number, body: unknown) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchImpl: Fetch = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetchImpl };
}

describe('editorApi', () => {
  it('saves the whole document with the base version, active time (bounded) and the proposal version', async () => {
    const { calls, fetchImpl } = answering(200, { version: 4, ids: { k1: 'db1' } });
    const result = await editorApi('s1', fetchImpl).save(payload, { activeMs: 5_000_000, proposalVersionId: 'mv1' });
    expect(result).toEqual({ kind: 'ok', version: 4, ids: { k1: 'db1' } });
    expect(calls[0].url).toBe('/api/slices/s1/annotations');
    expect(calls[0].init?.method).toBe('PUT');
    const body = JSON.parse(String(calls[0].init?.body));
    expect(body).toMatchObject({ baseVersion: 3, activeMs: 3_600_000, proposalVersionId: 'mv1', sliceClass: 'COVID', polygons: [{ clientKey: 'k1', lesionClass: 'GGO' }] });
  });

  it('a 409 carrying the same work is a success with the server’s ids; other work is a conflict', async () => {
    const server = { version: 5, sliceClass: 'COVID', unsure: false, polygons: [{ id: 'db9', lesionClass: 'GGO', points: [[0, 0], [4, 0], [0, 4]], holes: [] }] };
    const same = await editorApi('s1', answering(409, { error: 'stale', details: { current: server } }).fetchImpl).save(payload, { activeMs: 0, proposalVersionId: null });
    expect(same).toEqual({ kind: 'ok', version: 5, ids: { k1: 'db9' } });
    const other = { ...server, polygons: [] };
    const conflict = await editorApi('s1', answering(409, { error: 'stale', details: { current: other } }).fetchImpl).save(payload, { activeMs: 0, proposalVersionId: null });
    expect(conflict).toEqual({ kind: 'conflict', current: other, version: 5 });
  });

  it('a refused save is a value with the server’s message; a 5xx throws so autosave retries', async () => {
    const invalid = await editorApi('s1', answering(400, { error: 'polygon 1 (GGO) has zero area' }).fetchImpl).save(payload, { activeMs: 0, proposalVersionId: null });
    expect(invalid).toEqual({ kind: 'invalid', message: 'polygon 1 (GGO) has zero area' });
    await expect(editorApi('s1', answering(503, {}).fetchImpl).save(payload, { activeMs: 0, proposalVersionId: null })).rejects.toThrow(/503/);
  });

  it('next slice gives this one back when skipping; submit sends the base version', async () => {
    const next = answering(200, { sliceId: 's2' });
    expect(await editorApi('s1', next.fetchImpl).next(true)).toEqual({ ok: true, sliceId: 's2' });
    expect(JSON.parse(String(next.calls[0].init?.body))).toEqual({ skip: 's1' });
    expect(await editorApi('s1', answering(200, { sliceId: null }).fetchImpl).next(false)).toEqual({ ok: true, sliceId: null });
    const submit = answering(409, { error: 'the slice changed' });
    expect(await editorApi('s1', submit.fetchImpl).submit(7)).toEqual({ ok: false, error: 'the slice changed' });
    expect(JSON.parse(String(submit.calls[0].init?.body))).toEqual({ baseVersion: 7 });
  });

  it('a failed heartbeat is harmless', async () => {
    await expect(editorApi('s1', async () => { throw new TypeError('offline'); }).heartbeat()).resolves.toBeUndefined();
  });
});
