import { describe, expect, it } from 'vitest';
import { classifierLearningCurve, learningCurve, segmenterLearningCurve } from './learningCurve';
import type { ClassifierVersion, SegmenterVersion, VersionSummary } from './versions';

const base = (number: number, labelledSlices: number): VersionSummary => ({ id: `v${number}`, number, labelledSlices, createdAt: '2026-01-01T00:00:00.000Z', gateMetric: 0, active: false });

describe('learning curves', () => {
  it('orders points by labelled slices, ties by version, and leaves unknown figures null', () => {
    const curve = learningCurve([base(3, 40), base(1, 10), base(2, 40), base(4, 20)], [{ key: 'y', label: 'Y' }], (v) => ({ y: v.number === 4 ? undefined : v.number / 10 }));
    expect(curve.table.rows.map((r) => [r.labelledSlices, r.version, r.y])).toEqual([[10, 1, 0.1], [20, 4, null], [40, 2, 0.2], [40, 3, 0.3]]);
    expect(curve.table.columns.map((c) => c.key)).toEqual(['labelledSlices', 'version', 'y']);
  });

  it('takes every segmentation figure from each version and the classifier accuracy and sensitivities', () => {
    const metrics = (d: number) => ({ maskAP50: { GGO: d, C: null, mean: d }, maskAP75: {}, mAP: { mean: d / 2 }, dice: { GGO: d, C: d, mean: d } });
    const segs: SegmenterVersion[] = [{ ...base(2, 30), metrics: metrics(0.6) }, { ...base(1, 10), metrics: null }];
    const s = segmenterLearningCurve(segs);
    expect(s.series).toHaveLength(12);
    expect(s.table.rows[0]).toMatchObject({ labelledSlices: 10, 'dice.GGO': null });
    expect(s.table.rows[1]).toMatchObject({ labelledSlices: 30, 'maskAP50.GGO': 0.6, 'maskAP50.C': null, 'maskAP75.mean': null, 'mAP.mean': 0.3, 'dice.mean': 0.6 });

    const clsV: ClassifierVersion[] = [{ ...base(1, 5), metrics: { classNames: ['A', 'B'], sensitivity: { A: 0.5, B: 1 }, precision: {}, accuracy: 0.7, confusion: [[1, 1], [0, 2]] } }];
    const c = classifierLearningCurve(clsV, ['A', 'B', 'C']);
    expect(c.series.map((x) => x.label)).toEqual(['Overall accuracy', 'A sensitivity', 'B sensitivity', 'C sensitivity']);
    expect(c.table.rows[0]).toMatchObject({ accuracy: 0.7, 'sensitivity.A': 0.5, 'sensitivity.B': 1, 'sensitivity.C': null });
  });
});
