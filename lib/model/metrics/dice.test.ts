import { describe, expect, it } from 'vitest';
import { dicePerClass, type LabelMap } from './dice';

const map = (...ids: number[]): LabelMap => ({ width: ids.length, height: 1, data: Uint8Array.from(ids) });

describe('dicePerClass', () => {
  // slice 1: predicted [1,1,0,2] vs truth [1,0,0,2]; slice 2: predicted nothing vs truth [0,2,2,0].
  const predicted = [map(1, 1, 0, 2), map(0, 0, 0, 0)];
  const truth = [map(1, 0, 0, 2), map(0, 2, 2, 0)];
  const r = dicePerClass(predicted, truth, [1, 2]);

  it('class 1: pooled 2·1/(2+1) = 2/3; per slice 2/3 and 1 (empty vs empty) → mean 5/6', () => {
    expect(r.perClass[0].pooled).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[0].meanOverSlices).toBeCloseTo(5 / 6, 12);
    expect(r.perClass[0]).toMatchObject({ classId: 1, intersection: 1, predicted: 2, groundTruth: 1 });
  });

  it('class 2: pooled 2·1/(1+3) = 1/2; per slice 1 and 0 → mean 1/2', () => {
    expect(r.perClass[1].pooled).toBeCloseTo(0.5, 12);
    expect(r.perClass[1].meanOverSlices).toBeCloseTo(0.5, 12);
  });

  it('means over classes: pooled (2/3 + 1/2)/2 = 7/12, over slices (5/6 + 1/2)/2 = 2/3', () => {
    expect(r.meanPooled).toBeCloseTo(7 / 12, 12);
    expect(r.meanOverSlices).toBeCloseTo(2 / 3, 12);
  });

  it('a class absent from prediction and truth everywhere scores 1; one predicted but absent scores 0', () => {
    const none = dicePerClass([map(0, 1)], [map(0, 0)], [1, 2]);
    expect(none.perClass.map((c) => [c.pooled, c.meanOverSlices])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('refuses mismatched inputs with a message', () => {
    expect(() => dicePerClass([map(0, 1)], [map(0, 1, 0)], [1])).toThrow('label maps differ in size');
    expect(() => dicePerClass([map(0)], [], [1])).toThrow('1 predicted maps but 0 ground-truth maps');
    expect(() => dicePerClass([map(0)], [map(0)], [])).toThrow('no classes');
  });
});
