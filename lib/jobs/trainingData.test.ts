import { describe, expect, it } from 'vitest';
import { splitByStudy, splitOf } from './trainingData';

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
