import { describe, expect, it } from 'vitest';
import { groupEffort, type EffortRow } from './effortSummary';

const row = (annotator: string, ggo: number | null, c: number | null, editingMs: number): EffortRow => ({
  sliceId: `${annotator}-${ggo}-${c}`,
  sliceLabel: 's',
  annotator,
  modelVersion: 'segmenter v1',
  perClass: { GGO: ggo === null ? null : { iou: ggo / (2 - ggo), dice: ggo }, C: c === null ? null : { iou: c / (2 - c), dice: c } },
  editingMs,
});

describe('correction effort summary', () => {
  it('averages each class over the slices that have it, and the editing time over all', () => {
    const groups = groupEffort([row('Ada', 0.8, null, 30_000), row('Ada', 0.6, 0.5, 90_000), row('Bo', null, null, 10_000)], (r) => r.annotator!);
    const ada = groups.find((g) => g.key === 'Ada')!;
    expect(ada.slices).toBe(2);
    expect(ada.meanDice.GGO).toBeCloseTo(0.7, 10);
    expect(ada.meanDice.C).toBeCloseTo(0.5, 10);
    expect(ada.meanEditingS).toBe(60);
    expect(groups.find((g) => g.key === 'Bo')!.meanDice).toEqual({ GGO: null, C: null });
  });
});
