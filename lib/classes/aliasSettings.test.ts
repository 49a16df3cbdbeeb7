import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { DEFAULT_CLASS_ALIASES } from './aliases';
import { getClassAliases, loadClassResolver, setClassAliases } from './aliasSettings';

describe('class alias settings', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb('sqlite'); });
  afterAll(async () => t?.cleanup());

  it('start from the defaults, store what an admin saves, and refuse a bad map without changing anything', async () => {
    expect(await getClassAliases(t.db)).toEqual(DEFAULT_CLASS_ALIASES);
    await setClassAliases(t.db, { Pneumonia: 'CP' });
    expect(await getClassAliases(t.db)).toEqual({ Pneumonia: 'CP' });
    expect((await loadClassResolver(t.db))('COVID-19')).toBe('COVID-19');
    await expect(setClassAliases(t.db, { a: 'b', b: 'a' })).rejects.toThrow(/map to each other/);
    expect(await getClassAliases(t.db)).toEqual({ Pneumonia: 'CP' });
  });

  it('fall back to the defaults when the stored value no longer parses', async () => {
    await t.db.setting.update({ where: { key: 'class-aliases' }, data: { value: ['not', 'a', 'map'] } });
    expect(await getClassAliases(t.db)).toEqual(DEFAULT_CLASS_ALIASES);
  });
});
