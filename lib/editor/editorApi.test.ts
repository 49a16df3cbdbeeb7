import { describe, expect, it } from 'vitest';
import type { SavePayload } from './autosave';
import { editorApi, type Fetch } from './editorApi';

const SIZE = { width: 100, height: 100 };
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
    const result = await editorApi('s1', SIZE, fetchImpl).save(payload, { activeMs: 5_000_000, proposalVersionId: 'mv1' });
    expect(result).toEqual({ kind: 'ok', version: 4, ids: { k1: 'db1' } });
    expect(calls[0].url).toBe('/api/slices/s1/annotations');
    expect(calls[0].init?.method).toBe('PUT');
    const body = JSON.parse(String(calls[0].init?.body));
    expect(body).toMatchObject({ baseVersion: 3, activeMs: 3_600_000, proposalVersionId: 'mv1', sliceClass: 'COVID', polygons: [{ clientKey: 'k1', lesionClass: 'GGO' }] });
  });

  it('a 409 carrying the same work is a success with the server’s ids; other work is a conflict', async () => {
    const server = { version: 5, sliceClass: 'COVID', unsure: false, polygons: [{ id: 'db9', lesionClass: 'GGO', points: [[0, 0], [4, 0], [0, 4]], holes: [] }] };
    const same = await editorApi('s1', SIZE, answering(409, { error: 'stale', details: { current: server } }).fetchImpl).save(payload, { activeMs: 0, proposalVersionId: null });
    expect(same).toEqual({ kind: 'ok', version: 5, ids: { k1: 'db9' } });
    const other = { ...server, polygons: [] };
    const conflict = await editorApi('s1', SIZE, answering(409, { error: 'stale', details: { current: other } }).fetchImpl).save(payload, { activeMs: 0, proposalVersionId: null });
    expect(conflict).toEqual({ kind: 'conflict', current: other, version: 5 });
  });

  it('a refused save is a value with the server’s message; a 5xx throws so autosave retries', async () => {
    const invalid = await editorApi('s1', SIZE, answering(400, { error: 'polygon 1 (GGO) has zero area' }).fetchImpl).save(payload, { activeMs: 0, proposalVersionId: null });
    expect(invalid).toEqual({ kind: 'invalid', message: 'polygon 1 (GGO) has zero area' });
    await expect(editorApi('s1', SIZE, answering(503, {}).fetchImpl).save(payload, { activeMs: 0, proposalVersionId: null })).rejects.toThrow(/503/);
  });

  it('next slice gives this one back when skipping; submit sends the base version', async () => {
    const next = answering(200, { sliceId: 's2' });
    expect(await editorApi('s1', SIZE, next.fetchImpl).next(true)).toEqual({ ok: true, sliceId: 's2' });
    expect(JSON.parse(String(next.calls[0].init?.body))).toEqual({ skip: 's1' });
    expect(await editorApi('s1', SIZE, answering(200, { sliceId: null }).fetchImpl).next(false)).toEqual({ ok: true, sliceId: null });
    const submit = answering(409, { error: 'the slice changed' });
    expect(await editorApi('s1', SIZE, submit.fetchImpl).submit(7)).toEqual({ ok: false, error: 'the slice changed' });
    expect(JSON.parse(String(submit.calls[0].init?.body))).toEqual({ baseVersion: 7 });
  });

  it('a failed heartbeat is harmless', async () => {
    await expect(editorApi('s1', SIZE, async () => { throw new TypeError('offline'); }).heartbeat()).resolves.toBeUndefined();
  });

  it('a polygon the server would refuse is left out and named; the rest and the slice class are saved', async () => {
    const bowTie = { key: 'k2', lesionClass: 'C' as const, points: [[10, 10], [30, 30], [30, 10], [10, 30]] as [number, number][], holes: [], source: 'HUMAN' as const };
    const { calls, fetchImpl } = answering(200, { version: 4, ids: { k1: 'db1' } });
    const result = await editorApi('s1', SIZE, fetchImpl).save({ ...payload, doc: { ...payload.doc, polygons: [...payload.doc.polygons, bowTie] } }, { activeMs: 0, proposalVersionId: null });
    expect(result).toEqual({ kind: 'ok', version: 4, ids: { k1: 'db1' }, refused: [{ key: 'k2', message: expect.stringMatching(/^polygon 2 \(C\) intersects itself/) }] });
    const body = JSON.parse(String(calls[0].init?.body));
    expect(body.polygons.map((p: { clientKey: string }) => p.clientKey)).toEqual(['k1']);
    expect(body.sliceClass).toBe('COVID');
  });

  it('a polygon saved before and then broken is sent as last saved, so the save does not delete it', async () => {
    const api = editorApi('s1', SIZE, answering(200, { version: 4, ids: {} }).fetchImpl);
    await api.save(payload, { activeMs: 0, proposalVersionId: null });
    const broken = { ...payload.doc.polygons[0], points: [[0, 0], [4, 4], [4, 0], [0, 4]] as [number, number][] };
    const second = answering(200, { version: 5, ids: {} });
    const again = editorApi('s1', SIZE, second.fetchImpl);
    await again.save(payload, { activeMs: 0, proposalVersionId: null });
    const result = await again.save({ ...payload, ids: { k1: 'db1' }, doc: { ...payload.doc, polygons: [broken] } }, { activeMs: 0, proposalVersionId: null });
    expect(result).toMatchObject({ kind: 'ok', refused: [{ key: 'k1' }] });
    expect(JSON.parse(String(second.calls[1].init?.body)).polygons).toEqual([{ id: 'db1', clientKey: 'k1', lesionClass: 'GGO', points: [[0, 0], [4, 0], [0, 4]], holes: [] }]);
  });

  it('when the server refuses a polygon the local rule accepted, the rest is saved without it and it is named', async () => {
    const answers = [
      new Response(JSON.stringify({ error: 'polygon 1 (GGO) overlaps a locked region' }), { status: 400 }),
      new Response(JSON.stringify({ version: 4, ids: {} }), { status: 200 }),
    ];
    const bodies: unknown[] = [];
    const api = editorApi('s1', SIZE, async (_url, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return answers.shift()!;
    });
    const result = await api.save(payload, { activeMs: 0, proposalVersionId: null });
    expect(result).toEqual({ kind: 'ok', version: 4, ids: {}, refused: [{ key: 'k1', message: 'polygon 1 (GGO) overlaps a locked region' }] });
    expect(bodies).toHaveLength(2);
    expect((bodies[1] as { polygons: unknown[]; sliceClass: string }).polygons).toEqual([]);
    expect((bodies[1] as { sliceClass: string }).sliceClass).toBe('COVID');
  });
});
