/**
 * Model versions as the dashboard shows them: the stored `metrics` JSON (lib/model/evaluate.ts's
 * SegmentationReport / ClassificationReport) read defensively — a version whose metrics do not parse still shows,
 * with its figures empty, rather than breaking the page — and flattened into tables (one row per version).
 */
import { z } from 'zod';
import { effectiveThresholds, segmenterClasses } from '@/lib/models/thresholds';
import type { FigureTable } from './csv';

/** The columns of a ModelVersion row the dashboard reads (Prisma rows fit). */
export interface VersionRecord {
  id: string;
  kind: string;
  number: number;
  createdAt: Date | string;
  labelledSlices: number;
  gateMetric: number;
  active: boolean;
  metrics: unknown;
  /** "base" for the shipped base model. */
  label?: string | null;
  config?: unknown;
  proposalThresholds?: unknown;
  thresholdOverrides?: unknown;
}

const perClass = z.record(z.string(), z.number().nullable());

const segmentationSchema = z.object({
  maskAP50: perClass, maskAP75: perClass, mAP: perClass, dice: perClass, diceMeanOverSlices: perClass.optional(), bestDice: perClass.optional(), numSlices: z.number().optional(),
  /** Detections proposed per validation slice at the version's thresholds (0: it proposes nothing). */
  proposalsPerSlice: z.number().optional(),
});
export type SegmentationFigures = z.infer<typeof segmentationSchema>;

const classificationSchema = z
  .object({
    classNames: z.array(z.string()).min(1),
    sensitivity: perClass,
    precision: perClass,
    accuracy: z.number().nullable(),
    confusion: z.array(z.array(z.number())),
    n: z.number().optional(),
  })
  .refine((m) => m.confusion.length === m.classNames.length && m.confusion.every((r) => r.length === m.classNames.length), 'confusion matrix must be classes × classes');
export type ClassificationFigures = z.infer<typeof classificationSchema>;

export interface VersionSummary {
  id: string;
  number: number;
  createdAt: string;
  labelledSlices: number;
  gateMetric: number;
  active: boolean;
  label?: string | null;
}
export interface SegmenterVersion extends VersionSummary {
  metrics: SegmentationFigures | null;
  /** The proposal thresholds in force per class, and where each comes from. */
  thresholds?: ReturnType<typeof effectiveThresholds>;
}
export interface ClassifierVersion extends VersionSummary {
  metrics: ClassificationFigures | null;
}

function summary(v: VersionRecord): VersionSummary {
  const createdAt = typeof v.createdAt === 'string' ? v.createdAt : v.createdAt.toISOString();
  return { id: v.id, number: v.number, createdAt, labelledSlices: v.labelledSlices, gateMetric: v.gateMetric, active: v.active, label: v.label ?? null };
}

const byNumber = (a: VersionSummary, b: VersionSummary) => a.number - b.number;

/** Versions of one kind, oldest first, with their metrics parsed by `schema` (null when the stored JSON does not fit). */
function versionsOf<M>(rows: readonly VersionRecord[], kind: string, schema: z.ZodType<M>) {
  return rows
    .filter((v) => v.kind === kind)
    .map((v) => {
      const parsed = schema.safeParse(v.metrics);
      return { ...summary(v), metrics: parsed.success ? parsed.data : null };
    })
    .sort(byNumber);
}

/** Segmenter versions, oldest first, with their metrics (null when the stored JSON is not a segmentation report). */
export function segmenterVersions(rows: readonly VersionRecord[]): SegmenterVersion[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return versionsOf(rows, 'segmenter', segmentationSchema).map((v) => {
    const row = byId.get(v.id)!;
    const classNames = segmenterClasses(row) ?? [...LESION_COLUMNS.slice(0, 2)];
    return { ...v, thresholds: effectiveThresholds({ proposalThresholds: row.proposalThresholds, thresholdOverrides: row.thresholdOverrides }, classNames) };
  });
}

export function classifierVersions(rows: readonly VersionRecord[]): ClassifierVersion[] {
  return versionsOf(rows, 'classifier', classificationSchema);
}

/** The lesion classes the segmenter tables show, and the mean the report adds. */
export const LESION_COLUMNS = ['GGO', 'C', 'mean'] as const;

/** The four segmentation figures of issue 5, in the order tables and charts show them. */
export const SEGMENTATION_METRICS = [
  { key: 'maskAP50', label: 'AP@0.5' },
  { key: 'maskAP75', label: 'AP@0.75' },
  { key: 'mAP', label: 'mAP@[.5:.95]' },
  { key: 'dice', label: 'Dice' },
] as const satisfies readonly { key: keyof SegmentationFigures; label: string }[];

const versionColumns = [
  { key: 'version', label: 'Version' },
  { key: 'labelledSlices', label: 'Labelled slices' },
  { key: 'active', label: 'Active' },
];

/** One row per segmenter version: AP@0.5, AP@0.75, mAP and Dice for GGO, C and their mean. */
export function segmenterTable(versions: readonly SegmenterVersion[]): FigureTable {
  const columns = [...versionColumns];
  for (const m of SEGMENTATION_METRICS) for (const c of LESION_COLUMNS) columns.push({ key: `${m.key}.${c}`, label: `${m.label} ${c}` });
  const rows = versions.map((v) => {
    const row: FigureTable['rows'][number] = { version: v.number, labelledSlices: v.labelledSlices, active: v.active };
    for (const m of SEGMENTATION_METRICS) for (const c of LESION_COLUMNS) row[`${m.key}.${c}`] = v.metrics?.[m.key][c] ?? null;
    return row;
  });
  return { columns, rows };
}

/** The union of the class names of the versions, in first-seen order (class sets may change between versions). */
export function classNamesOf(versions: readonly ClassifierVersion[]): string[] {
  const names: string[] = [];
  for (const v of versions) for (const c of v.metrics?.classNames ?? []) if (!names.includes(c)) names.push(c);
  return names;
}

/** The paper's Table 2 as data: per version, sensitivity and precision per class, and overall accuracy. */
export function classifierTable(versions: readonly ClassifierVersion[]): FigureTable {
  const names = classNamesOf(versions);
  const columns = [...versionColumns];
  for (const c of names) columns.push({ key: `sensitivity.${c}`, label: `${c} sensitivity` }, { key: `precision.${c}`, label: `${c} precision` });
  columns.push({ key: 'accuracy', label: 'Overall accuracy' }, { key: 'n', label: 'Validation slices' });
  const rows = versions.map((v) => {
    const row: FigureTable['rows'][number] = { version: v.number, labelledSlices: v.labelledSlices, active: v.active, accuracy: v.metrics?.accuracy ?? null, n: v.metrics?.n ?? null };
    for (const c of names) {
      row[`sensitivity.${c}`] = v.metrics?.sensitivity[c] ?? null;
      row[`precision.${c}`] = v.metrics?.precision[c] ?? null;
    }
    return row;
  });
  return { columns, rows };
}

/** One version's confusion matrix (rows true class, columns predicted) with each row's sensitivity and precision. */
export function confusionTable(figures: ClassificationFigures): FigureTable {
  const columns = [{ key: 'true', label: 'True \\ predicted' }, ...figures.classNames.map((c) => ({ key: `pred.${c}`, label: c })), { key: 'sensitivity', label: 'Sensitivity' }, { key: 'precision', label: 'Precision' }];
  const rows = figures.classNames.map((c, i) => {
    const row: FigureTable['rows'][number] = { true: c, sensitivity: figures.sensitivity[c] ?? null, precision: figures.precision[c] ?? null };
    figures.classNames.forEach((p, j) => (row[`pred.${p}`] = figures.confusion[i][j]));
    return row;
  });
  return { columns, rows };
}
