/**
 * Learning curves: each metric against the number of labelled slices a version was trained on, one point per
 * version (the product's evidence that more labels — and the active-learning order — buy accuracy).
 */
import type { FigureTable } from './csv';
import { LESION_COLUMNS, SEGMENTATION_METRICS, type ClassifierVersion, type SegmenterVersion, type VersionSummary } from './versions';

export interface CurveSeries {
  key: string;
  label: string;
  /** Column of the series' standard deviation: drawn as a ±1 std band around it. */
  spreadKey?: string;
}

/** Chart-ready curve: `table.rows` sorted by labelledSlices (x), one column per series (y), null where unknown. */
export interface Curve {
  series: CurveSeries[];
  table: FigureTable;
}

/**
 * Assembles a curve from versions: x = labelledSlices, ties in x ordered by version number so a retrain on the same
 * data shows as a vertical step, not a zig-zag. `values(v)` gives each series' figure for a version.
 */
export function learningCurve<V extends VersionSummary>(versions: readonly V[], series: CurveSeries[], values: (v: V) => Record<string, number | null | undefined>): Curve {
  const rows = [...versions]
    .sort((a, b) => a.labelledSlices - b.labelledSlices || a.number - b.number)
    .map((v) => {
      const figures = values(v);
      return { labelledSlices: v.labelledSlices, version: v.number, ...Object.fromEntries(series.map((s) => [s.key, figures[s.key] ?? null])) };
    });
  return { series, table: { columns: [{ key: 'labelledSlices', label: 'Labelled slices' }, { key: 'version', label: 'Version' }, ...series], rows } };
}

/** Segmenter: every figure of the report (AP@0.5, AP@0.75, mAP, Dice) for GGO, C and their mean. */
export function segmenterLearningCurve(versions: readonly SegmenterVersion[]): Curve {
  const series = SEGMENTATION_METRICS.flatMap((m) => LESION_COLUMNS.map((c) => ({ key: `${m.key}.${c}`, label: `${m.label} ${c}` })));
  return learningCurve(versions, series, (v) => Object.fromEntries(SEGMENTATION_METRICS.flatMap((m) => LESION_COLUMNS.map((c) => [`${m.key}.${c}`, v.metrics?.[m.key][c]]))));
}

/** Classifier: overall accuracy and each class's sensitivity. */
export function classifierLearningCurve(versions: readonly ClassifierVersion[], classNames: readonly string[]): Curve {
  const series = [{ key: 'accuracy', label: 'Overall accuracy' }, ...classNames.map((c) => ({ key: `sensitivity.${c}`, label: `${c} sensitivity` }))];
  return learningCurve(versions, series, (v) => ({
    accuracy: v.metrics?.accuracy,
    ...Object.fromEntries(classNames.map((c) => [`sensitivity.${c}`, v.metrics?.sensitivity[c]])),
  }));
}
