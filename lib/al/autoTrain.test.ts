import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableQueue } from '@/lib/jobs/queue';
import { createTestStudy } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { maybeQueueTraining } from './autoTrain';
import { updateAlSettings } from './settings';

describe('auto-training rule', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => t?.cleanup());

  it('queues one training after N newly accepted slices, never two at once, and counts again from there', async () => {
    const queue = new TableQueue(t.db);
    const { sliceIds } = await createTestStudy(t.db, { slices: 12 });
    const accept = (ids: string[]) => t.db.slice.updateMany({ where: { id: { in: ids } }, data: { status: 'ACCEPTED' } });
    expect(await maybeQueueTraining(t.db, queue)).toBeNull(); // off by default
    await updateAlSettings(t.db, { autoTrainAfter: 5 });
    await accept(sliceIds.slice(0, 4));
    expect(await maybeQueueTraining(t.db, queue)).toBeNull();
    await accept(sliceIds.slice(4, 5));
    const first = await maybeQueueTraining(t.db, queue);
    expect(first).not.toBeNull();
    await accept(sliceIds.slice(5, 11));
    expect(await maybeQueueTraining(t.db, queue)).toBeNull(); // the first is still queued
    await t.db.job.update({ where: { id: first! }, data: { status: 'SUCCEEDED', exclusiveKey: null } });
    const second = await maybeQueueTraining(t.db, queue);
    expect(second).not.toBeNull();
    const job = await t.db.job.findUniqueOrThrow({ where: { id: second! } });
    expect(job.config).toMatchObject({ acceptedSlicesAtQueue: 11, trigger: 'auto', preset: 'tiny' });
    await t.db.job.update({ where: { id: second! }, data: { status: 'SUCCEEDED', exclusiveKey: null } });
    await accept(sliceIds.slice(11));
    expect(await maybeQueueTraining(t.db, queue)).toBeNull(); // 1 new since the second, below 5
  });
});
