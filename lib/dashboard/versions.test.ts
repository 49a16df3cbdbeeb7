import { describe, expect, it } from 'vitest';
import { classifierTable, classifierVersions, confusionTable, segmenterTable, segmenterVersions, type VersionRecord } from './versions';

const seg = (number: number, labelledSlices: number, dice: number | null, extra: Partial<VersionRecord> = {}): VersionRecord => ({
  id: `s${number}`, kind: 'segmenter', number, labelledSlices, gateMetric: dice ?? 0, active: false, createdAt: new Date(Date.UTC(2026, 0, number)),
  metrics: { maskAP50: { GGO: 0.5, C: 0.3, mean: 0.4 }, maskAP75: { GGO: 0.2, C: 0.1, mean: 0.15 }, mAP: { GGO: 0.25, C: null, mean: 0.25 }, dice: { GGO: dice, C: 0.4, mean: 0.5 }, diceMeanOverSlices: {}, numSlices: 8, summary: {} },
  ...extra,
});

const cls = (number: number, confusion: number[][], classNames = ['COVID-19', 'Normal']): VersionRecord => ({
  id: `c${number}`, kind: 'classifier', number, labelledSlices: 10 * number, gateMetric: 0.9, active: number === 2, createdAt: '2026-02-01T00:00:00.000Z',
  metrics: { classNames, sensitivity: { 'COVID-19': 0.8, Normal: 0.9 }, precision: { 'COVID-19': 0.75, Normal: 0.95 }, accuracy: 0.85, confusion, n: 20 },
});

describe('model versions for the dashboard', () => {
  it('keeps each kind, oldest first, with metrics that do not parse shown as empty rather than dropped', () => {
    const versions = segmenterVersions([seg(2, 20, 0.6), cls(1, [[1, 0], [0, 1]]), seg(1, 10, 0.5), seg(3, 30, 0.7, { metrics: { loss: 1 } })]);
    expect(versions.map((v) => v.number)).toEqual([1, 2, 3]);
    expect(versions[2].metrics).toBeNull();
    expect(versions[0].createdAt).toBe('2026-01-01T00:00:00.000Z');
    const table = segmenterTable(versions);
    expect(table.columns.map((c) => c.label)).toContain('mAP@[.5:.95] C');
    expect(table.rows[1]).toMatchObject({ version: 2, labelledSlices: 20, 'maskAP50.GGO': 0.5, 'dice.GGO': 0.6, 'mAP.C': null });
    expect(table.rows[2]['dice.GGO']).toBeNull();
  });

  it("lays out the classifier like the paper's Table 2 and rejects a confusion matrix of the wrong shape", () => {
    const versions = classifierVersions([cls(2, [[8, 2], [1, 9]]), cls(1, [[1, 2, 3]])]);
    expect(versions.map((v) => [v.number, v.metrics === null])).toEqual([[1, true], [2, false]]);
    const table = classifierTable(versions);
    expect(table.columns.map((c) => c.key)).toEqual(['version', 'labelledSlices', 'active', 'sensitivity.COVID-19', 'precision.COVID-19', 'sensitivity.Normal', 'precision.Normal', 'accuracy', 'n']);
    expect(table.rows[1]).toMatchObject({ version: 2, active: true, 'sensitivity.COVID-19': 0.8, 'precision.Normal': 0.95, accuracy: 0.85 });
    const confusion = confusionTable(versions[1].metrics!);
    expect(confusion.rows).toEqual([
      { true: 'COVID-19', 'pred.COVID-19': 8, 'pred.Normal': 2, sensitivity: 0.8, precision: 0.75 },
      { true: 'Normal', 'pred.COVID-19': 1, 'pred.Normal': 9, sensitivity: 0.9, precision: 0.95 },
    ]);
  });
});
