import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseProvider } from '@/lib/db/client';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { testPostgres } from '@/lib/testing/postgres';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { acquireLease, LEASE_MS, leaseHolder, releaseLease, renewLease } from './leases';
import { leaseNextSlice } from './next';
import type { QueueOrder } from './order';

function suite(provider: DatabaseProvider) {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(provider);
  });
  afterAll(async () => t?.cleanup());

  it('leases a slice to one annotator until it expires', async () => {
    const [a, b] = [await createTestUser(t.db, 'ANNOTATOR'), await createTestUser(t.db, 'ANNOTATOR')];
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const now = new Date('2026-01-01T10:00:00Z');
    expect(await acquireLease(t.db, sliceIds[0], a.id, now)).toBe(true);
    expect(await acquireLease(t.db, sliceIds[0], b.id, now)).toBe(false);
    expect(await renewLease(t.db, sliceIds[0], b.id, now)).toBe(false);
    expect(await renewLease(t.db, sliceIds[0], a.id, new Date(now.getTime() + LEASE_MS - 1))).toBe(true);
    const later = new Date(now.getTime() + 2 * LEASE_MS);
    expect(await leaseHolder(t.db, sliceIds[0], later)).toBeNull();
    expect(await acquireLease(t.db, sliceIds[0], b.id, later)).toBe(true);
    expect((await leaseHolder(t.db, sliceIds[0], later))?.userId).toBe(b.id);
    await releaseLease(t.db, sliceIds[0], b.id);
    expect(await leaseHolder(t.db, sliceIds[0], later)).toBeNull();
  });

  it('gives two annotators asking at the same time different slices, and resumes a held lease', async () => {
    const users = await Promise.all([1, 2, 3, 4].map((n) => createTestUser(t.db, 'ANNOTATOR', `u${n}`)));
    const { sliceIds } = await createTestStudy(t.db, { slices: 6 });
    const only: QueueOrder = async (db, r) =>
      (await db.slice.findMany({ where: { id: { in: sliceIds, notIn: r.exclude }, lease: { is: null } }, orderBy: { index: 'asc' }, take: r.limit, select: { id: true } })).map((s) => s.id);
    const got = await Promise.all(users.map((u) => leaseNextSlice(t.db, u.id, { order: only })));
    expect(got.every((id) => id !== null)).toBe(true);
    expect(new Set(got).size).toBe(users.length);
    expect(await leaseNextSlice(t.db, users[0].id, { order: only })).toBe(got[0]);
  });

  it('serves slices in import order and skips submitted ones', async () => {
    const u = await createTestUser(t.db, 'ANNOTATOR');
    const { sliceIds } = await createTestStudy(t.db, { slices: 3 });
    await t.db.slice.updateMany({ where: { status: { in: ['UNLABELLED', 'IN_PROGRESS'] }, id: { notIn: sliceIds } }, data: { status: 'ACCEPTED' } });
    await t.db.slice.update({ where: { id: sliceIds[0] }, data: { status: 'SUBMITTED' } });
    expect(await leaseNextSlice(t.db, u.id)).toBe(sliceIds[1]);
  });
}

describe('queue and leases on SQLite', () => suite('sqlite'));
const pg = await testPostgres();
describe.skipIf(!pg.available)('queue and leases on PostgreSQL', () => suite('postgresql'));
