/**
 * Correction effort, summarised per slice, per annotator and per model version: how close the model's proposals
 * were to what people finally accepted (mean IoU/Dice per class) and how long people edited. The product's evidence
 * that the model saves work.
 */
import type { Db } from '@/lib/db/client';
import type { LesionClass, Overlap } from '@/lib/imaging/contours';
import { LESION_CLASSES } from './correction';

export interface EffortRow {
  sliceId: string;
  sliceLabel: string;
  annotator: string | null;
  modelVersion: string | null;
  perClass: Record<LesionClass, Overlap | null>;
  editingMs: number;
}

export interface EffortGroup {
  key: string;
  slices: number;
  meanDice: Record<LesionClass, number | null>;
  meanIoU: Record<LesionClass, number | null>;
  meanEditingS: number;
}

/** Mean per class over the rows that have the class; null when none has. */
export function groupEffort(rows: EffortRow[], keyOf: (r: EffortRow) => string): EffortGroup[] {
  const groups = new Map<string, EffortRow[]>();
  for (const r of rows) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  return [...groups.entries()].map(([key, rs]) => {
    const mean = (pick: (o: Overlap) => number, c: LesionClass) => {
      const values = rs.map((r) => r.perClass[c]).filter((o): o is Overlap => o !== null).map(pick);
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    };
    return {
      key,
      slices: rs.length,
      meanDice: Object.fromEntries(LESION_CLASSES.map((c) => [c, mean((o) => o.dice, c)])) as Record<LesionClass, number | null>,
      meanIoU: Object.fromEntries(LESION_CLASSES.map((c) => [c, mean((o) => o.iou, c)])) as Record<LesionClass, number | null>,
      meanEditingS: rs.reduce((a, r) => a + r.editingMs, 0) / rs.length / 1000,
    };
  });
}

export async function effortRows(db: Db): Promise<EffortRow[]> {
  const rows = await db.correctionEffort.findMany({
    orderBy: { createdAt: 'desc' },
    include: { slice: { select: { index: true, study: { select: { scanKey: true } } } } },
  });
  const users = new Map((await db.user.findMany({ select: { id: true, name: true } })).map((u) => [u.id, u.name]));
  const versions = new Map((await db.modelVersion.findMany({ select: { id: true, kind: true, number: true } })).map((v) => [v.id, `${v.kind} v${v.number}`]));
  return rows.map((r) => ({
    sliceId: r.sliceId,
    sliceLabel: `${r.slice.study.scanKey} #${r.slice.index}`,
    annotator: r.annotatorId ? (users.get(r.annotatorId) ?? 'deleted user') : null,
    modelVersion: r.modelVersionId ? (versions.get(r.modelVersionId) ?? 'deleted version') : null,
    perClass: r.perClass as unknown as EffortRow['perClass'],
    editingMs: r.editingMs,
  }));
}
