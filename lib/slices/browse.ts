import { z } from 'zod';
import type { Db } from '@/lib/db/client';

export const SLICE_STATUSES = ['UNLABELLED', 'IN_PROGRESS', 'SUBMITTED', 'ACCEPTED'] as const;
export type SliceStatusName = (typeof SLICE_STATUSES)[number];

export const STATUS_LABELS: Record<SliceStatusName, string> = {
  UNLABELLED: 'Unlabelled',
  IN_PROGRESS: 'In progress',
  SUBMITTED: 'Submitted',
  ACCEPTED: 'Accepted',
};

/** Query of the slice browser, as it arrives in a URL (strings) — also used by GET /api/slices. */
export const sliceQuerySchema = z.object({
  status: z.enum(SLICE_STATUSES).optional(),
  study: z.string().min(1).max(64).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(48),
});
export type SliceQuery = z.infer<typeof sliceQuerySchema>;

export interface SliceSummary {
  id: string;
  studyId: string;
  studyKey: string;
  index: number;
  width: number;
  height: number;
  status: SliceStatusName;
  annotationCount: number;
  sliceClass: string | null;
}

export interface SlicePage {
  slices: SliceSummary[];
  total: number;
  page: number;
  pageSize: number;
  /** Counts per status over the current study filter (all studies when none), for the filter tabs. */
  counts: Record<SliceStatusName, number> & { ALL: number };
}

export async function browseSlices(db: Db, query: SliceQuery): Promise<SlicePage> {
  const studyWhere = query.study ? { studyId: query.study } : {};
  const where = { ...studyWhere, ...(query.status ? { status: query.status } : {}) };
  const [rows, total, grouped] = await Promise.all([
    db.slice.findMany({
      where,
      orderBy: [{ study: { createdAt: 'asc' } }, { studyId: 'asc' }, { index: 'asc' }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      select: {
        id: true,
        studyId: true,
        index: true,
        width: true,
        height: true,
        status: true,
        study: { select: { scanKey: true } },
        _count: { select: { annotations: { where: { deletedAt: null, source: { not: 'MODEL' } } } } },
        labels: { orderBy: { createdAt: 'desc' }, take: 1, select: { className: true } },
      },
    }),
    db.slice.count({ where }),
    db.slice.groupBy({ by: ['status'], where: studyWhere, _count: { _all: true } }),
  ]);
  const counts = { ALL: 0, UNLABELLED: 0, IN_PROGRESS: 0, SUBMITTED: 0, ACCEPTED: 0 };
  for (const g of grouped) {
    counts[g.status as SliceStatusName] = g._count._all;
    counts.ALL += g._count._all;
  }
  return {
    slices: rows.map((r) => ({
      id: r.id,
      studyId: r.studyId,
      studyKey: r.study.scanKey,
      index: r.index,
      width: r.width,
      height: r.height,
      status: r.status as SliceStatusName,
      annotationCount: r._count.annotations,
      sliceClass: r.labels[0]?.className ?? null,
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
    counts,
  };
}

export interface StudySummary {
  id: string;
  scanKey: string;
  source: string;
  format: string;
  modality: string;
  sliceCount: number;
  createdAt: Date;
}

export async function listStudies(db: Db): Promise<StudySummary[]> {
  const studies = await db.study.findMany({
    orderBy: [{ createdAt: 'asc' }, { scanKey: 'asc' }],
    select: { id: true, scanKey: true, source: true, format: true, modality: true, createdAt: true, _count: { select: { slices: true } } },
  });
  return studies.map(({ _count, ...s }) => ({ ...s, sliceCount: _count.slices }));
}

/** One slice with what the viewer needs: geometry, window, annotations and the current slice class. */
export async function sliceDetail(db: Db, id: string) {
  return db.slice.findUnique({
    where: { id },
    select: {
      id: true,
      index: true,
      width: true,
      height: true,
      pixelKind: true,
      windowWidth: true,
      windowLevel: true,
      status: true,
      sourceFile: true,
      study: { select: { id: true, scanKey: true, source: true, format: true, modality: true } },
      annotations: {
        where: { deletedAt: null },
        orderBy: { createdAt: 'asc' },
        select: { id: true, lesionClass: true, points: true, holes: true, source: true, status: true, score: true, version: true, authorId: true, updatedAt: true },
      },
      labels: { orderBy: { createdAt: 'desc' }, take: 1, select: { className: true, unsure: true, createdAt: true } },
    },
  });
}
