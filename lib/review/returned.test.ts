import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSliceAnnotations, submitSlice, userHistory } from '@/lib/annotations/service';
import { leaseNextSlice } from '@/lib/queue/next';
import { releaseLease } from '@/lib/queue/leases';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { PublicUser } from '@/lib/users/service';
import { returnedSlices } from './returned';
import { acceptSlice, rejectSlice } from './service';

const square = (x: number, y: number, s = 10): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

describe('returned (rejected) slices', () => {
  let t: TestDb;
  let ada: PublicUser;
  let bob: PublicUser;
  let rey: PublicUser;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    ada = await createTestUser(t.db, 'ANNOTATOR', 'Ada');
    bob = await createTestUser(t.db, 'ANNOTATOR', 'Bob');
    rey = await createTestUser(t.db, 'REVIEWER', 'Rey');
  });
  afterAll(async () => t?.cleanup());

  async function submitted(id: string, who: PublicUser) {
    const saved = await saveSliceAnnotations(t.db, id, who, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(5, 5) }], sliceClass: 'COVID-19' });
    return (await submitSlice(t.db, id, who, saved.version)).version;
  }

  it('a rejected slice returns to its annotator with the comment, first in their queue, and as Rejected in their history', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 4 });
    const [accepted, rejected] = [sliceIds[0], sliceIds[2]];
    const v0 = await submitted(accepted, ada);
    const v2 = await submitted(rejected, ada);
    await acceptSlice(t.db, accepted, rey, v0);
    expect(await returnedSlices(t.db, ada.id)).toEqual([]);
    await rejectSlice(t.db, rejected, rey, v2, 'The consolidation at the right base is missing');

    expect(await returnedSlices(t.db, ada.id)).toEqual([expect.objectContaining({ sliceId: rejected, comment: 'The consolidation at the right base is missing', reviewer: 'Rey' })]);
    expect(await returnedSlices(t.db, bob.id)).toEqual([]);
    // The import order would serve slice 1 (index 1) first; the returned slice (index 2) comes before it.
    const order = async () => sliceIds.slice(1);
    expect(await leaseNextSlice(t.db, ada.id, { order })).toBe(rejected);
    expect(await leaseNextSlice(t.db, bob.id, { order })).toBe(sliceIds[1]);
    const history = await userHistory(t.db, ada.id);
    expect(history.find((h) => h.sliceId === rejected)).toMatchObject({ status: 'IN_PROGRESS', returned: { comment: 'The consolidation at the right base is missing', reviewer: 'Rey' } });
    expect(history.find((h) => h.sliceId === accepted)?.returned).toBeNull();

    // Resubmitted: no longer returned.
    await releaseLease(t.db, rejected, ada.id);
    const state = await t.db.slice.findUniqueOrThrow({ where: { id: rejected }, select: { version: true } });
    await submitSlice(t.db, rejected, ada, state.version);
    expect(await returnedSlices(t.db, ada.id)).toEqual([]);
  });
});
