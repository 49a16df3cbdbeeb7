import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setClassAliases } from '@/lib/classes/aliasSettings';
import { createTestStudy } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { classifiedSlices, splitByStudy, splitOf } from './trainingData';

describe('train/validation split by study', () => {
  it('puts every slice of a study on one side, about a fifth of studies validating', () => {
    const items = Array.from({ length: 2000 }, (_, k) => ({ id: `s${k}`, studyId: `study-${k % 200}` }));
    const { train, val } = splitByStudy(items);
    const trainStudies = new Set(train.map((i) => i.studyId));
    const valStudies = new Set(val.map((i) => i.studyId));
    expect([...trainStudies].filter((s) => valStudies.has(s))).toEqual([]);
    expect(valStudies.size / 200).toBeGreaterThan(0.12);
    expect(valStudies.size / 200).toBeLessThan(0.28);
  });

  it('stays stable as data grows: a study never changes side', () => {
    const before = splitByStudy(Array.from({ length: 50 }, (_, k) => ({ studyId: `st${k}` })));
    const after = splitByStudy(Array.from({ length: 500 }, (_, k) => ({ studyId: `st${k}` })));
    const valAfter = new Set(after.val.map((i) => i.studyId));
    for (const v of before.val) expect(valAfter.has(v.studyId)).toBe(true);
    expect(splitOf('st3')).toBe(splitOf('st3'));
  });

  it('keeps one study on each side when there are only a few', () => {
    const { train, val } = splitByStudy([{ studyId: 'a' }, { studyId: 'a' }, { studyId: 'b' }]);
    expect(new Set(train.map((i) => i.studyId)).size).toBe(1);
    expect(new Set(val.map((i) => i.studyId)).size).toBe(1);
  });
});

describe('classifiedSlices', () => {
  let t: TestDb;
  let ids: string[];
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    ids = (await createTestStudy(t.db, { slices: 5 })).sliceIds;
    // labels stored before the aliases existed (test data written directly, as older imports left it)
    const stored: [number, string, 'IMPORTED' | 'HUMAN'][] = [[0, 'COVID-19', 'IMPORTED'], [1, 'COVID', 'IMPORTED'], [2, 'Normal', 'IMPORTED'], [3, 'non-COVID', 'HUMAN'], [4, 'Other', 'IMPORTED']];
    for (const [k, className, source] of stored) await t.db.sliceLabel.create({ data: { sliceId: ids[k], className, source } });
  });
  afterAll(async () => t?.cleanup());

  const labelOf = async (classNames: string[]) =>
    Object.fromEntries((await classifiedSlices(t.db, classNames)).map((s) => [ids.indexOf(s.id), s.label]));

  it('reads old labels through the default aliases: COVID-19 counts as COVID, Normal as non-COVID', async () => {
    // slice 3 is a human label on a slice nobody reviewed; slice 4's class is not asked for
    expect(await labelOf(['COVID', 'non-COVID'])).toEqual({ 0: 0, 1: 0, 2: 1 });
    // a class list with two names for one class gives every slice of it the first
    expect(await labelOf(['COVID-19', 'non-COVID', 'COVID'])).toEqual({ 0: 0, 1: 0, 2: 1 });
  });

  it("follows the admin's map: without aliases the old names are classes of their own", async () => {
    await setClassAliases(t.db, {});
    expect(await labelOf(['COVID', 'non-COVID'])).toEqual({ 1: 0 });
    await setClassAliases(t.db, { Other: 'non-COVID' });
    expect(await labelOf(['COVID', 'non-COVID'])).toEqual({ 1: 0, 4: 1 });
  });
});
