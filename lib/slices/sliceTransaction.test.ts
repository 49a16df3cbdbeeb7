/**
 * The slice-write protocol on both databases, with two annotators holding real leases (leaseNextSlice, as
 * "Next slice" does): the lease is enforced where annotations and submissions are written, every writer records
 * its revisions, and a refused write changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSliceAnnotations, submitSlice } from '@/lib/annotations/service';
import type { DatabaseProvider } from '@/lib/db/client';
import type { DomainError } from '@/lib/errors';
import { acquireLease, leaseHolder, LEASE_MS } from '@/lib/queue/leases';
import { leaseNextSlice } from '@/lib/queue/next';
import type { QueueOrder } from '@/lib/queue/order';
import { acceptSlice, rejectSlice } from '@/lib/review/service';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { testPostgres } from '@/lib/testing/postgres';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { PublicUser } from '@/lib/users/service';
import { replaceProposals, sliceTransaction } from './sliceTransaction';

const square = (x: number, y: number, s = 10): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DomainError);

function suite(provider: DatabaseProvider) {
  let t: TestDb;
  let ann: PublicUser;
  let bob: PublicUser;
  let rey: PublicUser;
  beforeAll(async () => {
    t = await createTestDb(provider);
    [ann, bob, rey] = [await createTestUser(t.db, 'ANNOTATOR', 'Ann'), await createTestUser(t.db, 'ANNOTATOR', 'Bob'), await createTestUser(t.db, 'REVIEWER', 'Rey')];
  });
  afterAll(async () => t?.cleanup());

  /** A slice leased to `user` through the queue, as "Next slice" does. */
  async function leasedTo(user: PublicUser): Promise<string> {
    await t.db.sliceLease.deleteMany({ where: { userId: user.id } }); // else the queue resumes the slice they hold
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const only: QueueOrder = async () => sliceIds;
    // a slice an earlier test returned to this annotator would come first ("rejected work comes back first")
    const others = (await t.db.slice.findMany({ where: { id: { notIn: sliceIds } }, select: { id: true } })).map((s) => s.id);
    expect(await leaseNextSlice(t.db, user.id, { order: only, exclude: others })).toBe(sliceIds[0]);
    return sliceIds[0];
  }
  const snapshot = async (id: string) => ({
    slice: await t.db.slice.findUniqueOrThrow({ where: { id }, select: { version: true, status: true } }),
    annotations: await t.db.annotation.count({ where: { sliceId: id } }),
    revisions: await t.db.annotationRevision.count({ where: { annotation: { sliceId: id } } }),
  });

  it('refuses a save and a submit by an annotator who does not hold the lease (423), changing nothing', async () => {
    const id = await leasedTo(ann);
    const before = await snapshot(id);
    const save = await refusal(saveSliceAnnotations(t.db, id, bob, { baseVersion: 0, polygons: [{ clientKey: 'b', lesionClass: 'GGO', points: square(1, 1) }], sliceClass: null }));
    expect(save?.code).toBe('locked');
    expect(save?.message).toMatch(/Ann is working on it/);
    const submit = await refusal(submitSlice(t.db, id, bob, 0));
    expect(submit?.code).toBe('locked');
    expect(await snapshot(id)).toEqual(before);
    expect((await leaseHolder(t.db, id))?.userId).toBe(ann.id);

    // The holder saves and submits; the submit releases the lease.
    const saved = await saveSliceAnnotations(t.db, id, ann, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(1, 1) }], sliceClass: null });
    await submitSlice(t.db, id, ann, saved.version);
    expect(await leaseHolder(t.db, id)).toBeNull();
    expect((await snapshot(id)).slice).toEqual({ version: 2, status: 'SUBMITTED' });
  });

  it('lets an annotator write a slice nobody holds (taking its lease), or one whose lease lapsed', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const id = sliceIds[0];
    await saveSliceAnnotations(t.db, id, bob, { baseVersion: 0, polygons: [], sliceClass: null });
    expect((await leaseHolder(t.db, id))?.userId).toBe(bob.id);
    // Bob's lease lapses; Ann may take the slice then.
    await t.db.sliceLease.update({ where: { sliceId: id }, data: { expiresAt: new Date(Date.now() - 1) } });
    await expect(saveSliceAnnotations(t.db, id, ann, { baseVersion: 1, polygons: [], sliceClass: null })).resolves.toMatchObject({ version: 2 });
    expect((await leaseHolder(t.db, id))?.userId).toBe(ann.id);
    expect((await refusal(saveSliceAnnotations(t.db, id, bob, { baseVersion: 2, polygons: [], sliceClass: null })))?.code).toBe('locked');
  });

  it('does not bind reviewers to leases, and their decisions release the annotator’s lease', async () => {
    const id = await leasedTo(ann);
    const corrected = await saveSliceAnnotations(t.db, id, rey, { baseVersion: 0, polygons: [{ clientKey: 'r', lesionClass: 'C', points: square(5, 5) }], sliceClass: null });
    expect((await leaseHolder(t.db, id))?.userId).toBe(ann.id);
    await acceptSlice(t.db, id, rey, corrected.version);
    expect(await leaseHolder(t.db, id)).toBeNull();
  });

  it('of two annotators saving a free slice at the same moment, exactly one gets it', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const results = await Promise.allSettled([ann, bob].map((u) => saveSliceAnnotations(t.db, sliceIds[0], u, { baseVersion: 0, polygons: [{ clientKey: u.id, lesionClass: 'GGO', points: square(1, 1) }], sliceClass: null })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as DomainError;
    expect(['locked', 'conflict']).toContain(lost.code);
    expect(await t.db.annotation.count({ where: { sliceId: sliceIds[0] } })).toBe(1);
  });

  it('records a revision for every write of every writer, tagged with the slice version', async () => {
    const id = await leasedTo(ann);
    const s1 = await saveSliceAnnotations(t.db, id, ann, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(1, 1) }, { clientKey: 'b', lesionClass: 'C', points: square(20, 20) }], sliceClass: 'Normal' });
    const s2 = await saveSliceAnnotations(t.db, id, ann, { baseVersion: s1.version, polygons: [{ id: s1.ids.a, clientKey: 'a', lesionClass: 'GGO', points: square(2, 2) }], sliceClass: 'Normal' });
    const sub = await submitSlice(t.db, id, ann, s2.version);
    const rej = await rejectSlice(t.db, id, rey, sub.version, 'more');
    const version = await t.db.modelVersion.create({ data: { kind: 'segmenter', number: 1000 + Math.floor(Math.random() * 1e6), path: 'x', config: {}, metrics: {}, gateMetric: 0, trainingSummary: {}, labelledSlices: 0 } });
    await replaceProposals(t.db, id, { modelVersionId: version.id, polygons: [{ lesionClass: 'C', points: square(30, 30), holes: [], score: 0.9 }], predictions: [{ modelVersionId: version.id, uncertainty: { segmentation: 0.4 }, classProbs: null }] });
    await replaceProposals(t.db, id, { modelVersionId: version.id, polygons: [], predictions: [] });
    const revs = await t.db.annotationRevision.findMany({ where: { annotation: { sliceId: id } }, orderBy: [{ sliceVersion: 'asc' }, { createdAt: 'asc' }], select: { sliceVersion: true, action: true, annotation: { select: { source: true } } } });
    const human = revs.filter((r) => r.annotation.source !== 'MODEL').map((r) => `${r.sliceVersion}:${r.action}`);
    expect(human).toEqual(['1:CREATE', '1:CREATE', '2:UPDATE', '2:DELETE', '3:STATUS', '4:STATUS']);
    expect(revs.filter((r) => r.annotation.source === 'MODEL').map((r) => `${r.sliceVersion}:${r.action}`)).toEqual(['4:CREATE', '4:DELETE']);
    expect((await t.db.slice.findUniqueOrThrow({ where: { id } })).version).toBe(rej.version); // proposals never bump it
    expect(await t.db.prediction.count({ where: { sliceId: id } })).toBe(1);
  });

  it('refuses a stale base version, an unknown slice and a status the write does not apply to', async () => {
    const id = await leasedTo(ann);
    const write = (baseVersion: number, sliceId = id) => sliceTransaction(t.db, sliceId, { baseVersion, actor: ann, statuses: ['UNLABELLED'], action: 'save' }, async () => 1);
    expect((await write(0)).version).toBe(1);
    expect((await refusal(write(0)))?.code).toBe('conflict');
    expect((await refusal(write(1, 'no-such-slice')))?.code).toBe('not_found');
    await t.db.slice.findUniqueOrThrow({ where: { id } });
    const rejected = await refusal(sliceTransaction(t.db, id, { baseVersion: 1, actor: ann, statuses: ['SUBMITTED'], action: 'accept' }, async () => 1));
    expect(rejected?.code).toBe('conflict');
    expect(rejected?.message).toMatch(/cannot accept a slice that is unlabelled/);
  });

  it('answers a heartbeat from the holder and refuses anyone else while the lease is live', async () => {
    const id = await leasedTo(ann);
    const now = new Date();
    expect(await acquireLease(t.db, id, bob.id, now)).toBe(false);
    expect(await acquireLease(t.db, id, ann.id, now)).toBe(true);
    expect(await acquireLease(t.db, id, bob.id, new Date(now.getTime() + LEASE_MS + 1))).toBe(true);
  });
}

describe('slice-write protocol on SQLite', () => suite('sqlite'));
const pg = await testPostgres();
describe.skipIf(!pg.available)('slice-write protocol on PostgreSQL', () => suite('postgresql'));
