import type { Db } from '@/lib/db/client';
import type { LesionPolygon } from '@/lib/imaging/contours';

export interface ExportOptions {
  /** accepted: reviewed slices only (the default); all: every slice with its current annotation. */
  status: 'accepted' | 'all';
  studyId?: string;
}

export interface ExportSlice {
  id: string;
  /** File name used for this slice in every format (image, mask, CSV row, COCO image). */
  fileName: string;
  studyId: string;
  studyKey: string;
  index: number;
  width: number;
  height: number;
  status: string;
  pixelPath: string;
  windowWidth: number;
  windowLevel: number;
  sliceClass: string | null;
  unsure: boolean;
  polygons: (LesionPolygon & { id: string; source: string; status: string })[];
}

export async function collectExport(db: Db, { status, studyId }: ExportOptions): Promise<ExportSlice[]> {
  if (studyId && !(await db.study.findUnique({ where: { id: studyId }, select: { id: true } }))) throw new Error(`no study with id ${studyId}`);
  const rows = await db.slice.findMany({
    where: { ...(status === 'accepted' ? { status: 'ACCEPTED' } : {}), ...(studyId ? { studyId } : {}) },
    orderBy: [{ study: { createdAt: 'asc' } }, { studyId: 'asc' }, { index: 'asc' }],
    select: {
      id: true, studyId: true, index: true, width: true, height: true, status: true, pixelPath: true, windowWidth: true, windowLevel: true,
      study: { select: { scanKey: true } },
      annotations: { where: { deletedAt: null, source: { not: 'MODEL' } }, orderBy: { createdAt: 'asc' }, select: { id: true, lesionClass: true, points: true, holes: true, source: true, status: true } },
      labels: { orderBy: { createdAt: 'desc' }, take: 1, select: { className: true, unsure: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    fileName: `${r.id}.png`,
    studyId: r.studyId,
    studyKey: r.study.scanKey,
    index: r.index,
    width: r.width,
    height: r.height,
    status: r.status,
    pixelPath: r.pixelPath,
    windowWidth: r.windowWidth,
    windowLevel: r.windowLevel,
    sliceClass: r.labels[0]?.className ?? null,
    unsure: r.labels[0]?.unsure ?? false,
    polygons: r.annotations.map((a) => ({ id: a.id, lesionClass: a.lesionClass, points: a.points, holes: a.holes, source: a.source, status: a.status }) as ExportSlice['polygons'][number]),
  }));
}
