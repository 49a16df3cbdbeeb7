import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseProvider } from '@/lib/db/client';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { testPostgres } from '@/lib/testing/postgres';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { PublicUser } from '@/lib/users/service';
import type { DomainError } from '@/lib/errors';
import { loadEditorState, saveSliceAnnotations, submitSlice, userHistory } from './service';

const square = (x: number, y: number, s = 10): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

function suite(provider: DatabaseProvider) {
  let t: TestDb;
  let ada: PublicUser;
  let bob: PublicUser;
  let reviewer: PublicUser;
  beforeAll(async () => {
    t = await createTestDb(provider);
    ada = await createTestUser(t.db, 'ANNOTATOR', 'ada');
    bob = await createTestUser(t.db, 'ANNOTATOR', 'bob');
    reviewer = await createTestUser(t.db, 'REVIEWER', 'rey');
  });
  afterAll(async () => t?.cleanup());

  const rejection = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DomainError);

  it('places a slice in its study: position, count and the slices before and after it by index', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 3 });
    const [first, middle, last] = await Promise.all(sliceIds.map((id) => loadEditorState(t.db, id)));
    expect(middle.stack).toEqual({ position: 2, count: 3, previous: sliceIds[0], next: sliceIds[2] });
    expect(first.stack).toMatchObject({ position: 1, previous: null, next: sliceIds[1] });
    expect(last.stack).toMatchObject({ position: 3, previous: sliceIds[1], next: null });
  });

  it('stores polygons and the slice class exactly, with a revision per change, and reloads them', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const id = sliceIds[0];
    const first = await saveSliceAnnotations(t.db, id, ada, {
      baseVersion: 0,
      polygons: [
        { clientKey: 'k1', lesionClass: 'GGO', points: square(1, 1) },
        { clientKey: 'k2', lesionClass: 'C', points: square(30, 30, 5.5), holes: [] },
      ],
      sliceClass: 'COVID-19',
      unsure: true,
    });
    expect(first.version).toBe(1);
    const state = await loadEditorState(t.db, id);
    expect(state.status).toBe('IN_PROGRESS');
    expect(state.polygons.map((p) => [p.id, p.lesionClass, p.points])).toEqual([
      [first.ids.k1, 'GGO', square(1, 1)],
      [first.ids.k2, 'C', square(30, 30, 5.5)],
    ]);
    expect([state.sliceClass, state.unsure]).toEqual(['COVID-19', true]);

    // Edit one, delete the other: one UPDATE and one DELETE revision, nothing else touched.
    const second = await saveSliceAnnotations(t.db, id, ada, {
      baseVersion: 1,
      polygons: [{ id: first.ids.k1, clientKey: 'k1', lesionClass: 'C', points: square(2, 2) }],
      sliceClass: 'COVID-19',
      unsure: true,
    });
    expect(second.version).toBe(2);
    const revisions = await t.db.annotationRevision.findMany({ where: { annotation: { sliceId: id } }, orderBy: [{ createdAt: 'asc' }, { version: 'asc' }] });
    expect(revisions.map((r) => r.action).sort()).toEqual(['CREATE', 'CREATE', 'DELETE', 'UPDATE']);
    expect(await t.db.sliceLabel.count({ where: { sliceId: id } })).toBe(1);
  });

  it('refuses a stale version with 409 and the current state, and keeps both people’s work (a reviewer correcting a slice an annotator holds)', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const id = sliceIds[0];
    await saveSliceAnnotations(t.db, id, ada, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(1, 1) }], sliceClass: null });
    const stale = await rejection(saveSliceAnnotations(t.db, id, reviewer, { baseVersion: 0, polygons: [{ clientKey: 'b', lesionClass: 'C', points: square(40, 40) }], sliceClass: null }));
    expect(stale?.code).toBe('conflict');
    const current = (stale?.details as { current: { version: number; polygons: { lesionClass: string }[] } }).current;
    expect(current.version).toBe(1);
    expect(current.polygons.map((p) => p.lesionClass)).toEqual(['GGO']);

    // The reviewer keeps his work: re-sent on the current version, stored as new revisions; Ada's polygon stays in history.
    await saveSliceAnnotations(t.db, id, reviewer, { baseVersion: current.version, polygons: [{ clientKey: 'b', lesionClass: 'C', points: square(40, 40) }], sliceClass: null });
    const all = await t.db.annotation.findMany({ where: { sliceId: id }, include: { revisions: true } });
    expect(all).toHaveLength(2);
    const ada1 = all.find((a) => a.authorId === ada.id)!;
    expect(ada1.deletedAt).not.toBeNull();
    expect(ada1.revisions.map((r) => r.action).sort()).toEqual(['CREATE', 'DELETE']);
    expect(all.find((a) => a.authorId === reviewer.id)!.deletedAt).toBeNull();
  });

  it('of two saves on the same version exactly one wins', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const results = await Promise.allSettled([
      saveSliceAnnotations(t.db, sliceIds[0], ada, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(1, 1) }], sliceClass: null }),
      saveSliceAnnotations(t.db, sliceIds[0], reviewer, { baseVersion: 0, polygons: [{ clientKey: 'b', lesionClass: 'C', points: square(20, 20) }], sliceClass: null }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((failed.reason as DomainError).code).toBe('conflict');
    expect(await t.db.annotation.count({ where: { sliceId: sliceIds[0] } })).toBe(1);
  });

  it('answers bad polygons and classes with 400 and stores nothing', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1, width: 64, height: 64 });
    const id = sliceIds[0];
    const bad = await rejection(saveSliceAnnotations(t.db, id, ada, {
      baseVersion: 0,
      polygons: [
        { clientKey: 'ok', lesionClass: 'GGO', points: square(1, 1) },
        { clientKey: 'bow', lesionClass: 'C', points: [[0, 0], [20, 20], [20, 0], [0, 20]] },
        { clientKey: 'out', lesionClass: 'C', points: [[0, 0], [200, 0], [0, 10]] },
      ],
      sliceClass: 'Pneumothorax',
    }));
    expect(bad?.code).toBe('invalid');
    expect(bad?.message).toMatch(/polygon 2 \(C\) intersects itself/);
    expect(bad?.message).toMatch(/outside the 64×64 image/);
    expect(bad?.message).toMatch(/slice class "Pneumothorax"/);
    expect(await t.db.annotation.count({ where: { sliceId: id } })).toBe(0);
    expect((await t.db.slice.findUniqueOrThrow({ where: { id } })).version).toBe(0);
  });

  it('submits for review, then only a reviewer may change the slice; the annotator sees it in their history', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const id = sliceIds[0];
    const saved = await saveSliceAnnotations(t.db, id, ada, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(1, 1) }], sliceClass: 'Normal' });
    const { version } = await submitSlice(t.db, id, ada, saved.version);
    const state = await loadEditorState(t.db, id);
    expect(state.status).toBe('SUBMITTED');
    expect(state.polygons.every((p) => p.status === 'SUBMITTED')).toBe(true);
    expect((await rejection(saveSliceAnnotations(t.db, id, ada, { baseVersion: version, polygons: [], sliceClass: null })))?.code).toBe('forbidden');
    await expect(saveSliceAnnotations(t.db, id, reviewer, { baseVersion: version, polygons: [], sliceClass: null })).resolves.toMatchObject({ version: version + 1 });
    const history = await userHistory(t.db, ada.id);
    expect(history.map((h) => h.sliceId)).toContain(id);
  });
}

describe('annotation saving on SQLite', () => suite('sqlite'));
const pg = await testPostgres();
describe.skipIf(!pg.available)('annotation saving on PostgreSQL', () => suite('postgresql'));
