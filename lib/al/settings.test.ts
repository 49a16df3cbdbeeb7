import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { alSettingsChangeSchema, getAlSettings, updateAlSettings } from './settings';

describe('active-learning settings', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => t?.cleanup());

  it('starts from defaults and changes only what an admin sets', async () => {
    expect(await getAlSettings(t.db)).toEqual({ strategy: 'combined', autoTrainAfter: null, includeSubmitted: false });
    await updateAlSettings(t.db, { autoTrainAfter: 20 });
    await updateAlSettings(t.db, alSettingsChangeSchema.parse({ strategy: 'entropy' }));
    expect(await getAlSettings(t.db)).toEqual({ strategy: 'entropy', autoTrainAfter: 20, includeSubmitted: false });
  });

  it('refuses unknown strategies and fields', () => {
    expect(alSettingsChangeSchema.safeParse({ strategy: 'gut-feeling' }).success).toBe(false);
    expect(alSettingsChangeSchema.safeParse({ batch: 3 }).success).toBe(false);
  });
});
