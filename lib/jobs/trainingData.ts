/**
 * The training data the worker reads from the database: reviewed slices with their polygons rasterised into label
 * maps (segmenter) and their slice classes (classifier S), split into train and validation by study (patient), so
 * no patient is on both sides.
 *
 * The split is a hash of the study id: a study's side never changes as data grows, and about VAL_FRACTION of the
 * studies validate. Lesion-free reviewed slices are included as negatives (an all-background label map).
 */
import { createHash } from 'node:crypto';
import { loadClassResolver } from '@/lib/classes/aliasSettings';
import type { Db } from '@/lib/db/client';
import { polygonsToLabelMap, type LesionPolygon } from '@/lib/imaging/contours';
import { readPixels } from '@/lib/imaging/pixelStore';
import { applyWindow } from '@/lib/imaging/window';
import type { LabelledSlice } from '@/lib/model/data/datasets';
import type { GreySlice } from '@/lib/model/data/augment';

export const VAL_FRACTION = 0.2;

/** Which side of the split a study is on: stable for its id, whatever else is in the database. */
export function splitOf(studyId: string, valFraction = VAL_FRACTION): 'train' | 'val' {
  const h = createHash('sha256').update(studyId).digest().readUInt32BE(0) / 2 ** 32;
  return h < valFraction ? 'val' : 'train';
}

export interface ReviewedSlice {
  id: string;
  studyId: string;
  width: number;
  height: number;
  pixelPath: string;
  windowWidth: number;
  windowLevel: number;
  polygons: LesionPolygon[];
  sliceClass: string | null;
}

/** Reviewed slices: ACCEPTED (and SUBMITTED when asked), with their current human/imported polygons and class. */
export async function reviewedSlices(db: Db, { includeSubmitted = false } = {}): Promise<ReviewedSlice[]> {
  const rows = await db.slice.findMany({
    where: { status: { in: includeSubmitted ? ['ACCEPTED', 'SUBMITTED'] : ['ACCEPTED'] } },
    orderBy: [{ studyId: 'asc' }, { index: 'asc' }],
    select: {
      id: true, studyId: true, width: true, height: true, pixelPath: true, windowWidth: true, windowLevel: true,
      annotations: { where: { deletedAt: null, source: { not: 'MODEL' } }, select: { lesionClass: true, points: true, holes: true } },
      labels: { orderBy: { createdAt: 'desc' }, take: 1, select: { className: true } },
    },
  });
  return rows.map(({ annotations, labels, ...s }) => ({
    ...s,
    polygons: annotations.map((a) => ({ lesionClass: a.lesionClass, points: a.points, holes: a.holes }) as LesionPolygon),
    sliceClass: labels[0]?.className ?? null,
  }));
}

/**
 * Slices with a slice class for S: reviewed ones, and any whose class came with the import (ground truth). Stored
 * class names are read through the class aliases (lib/classes/aliases.ts), so a label saved as `COVID-19` before
 * the alias existed counts as `COVID`; `label` indexes the first of `classNames` naming the same class.
 */
export async function classifiedSlices(db: Db, classNames: string[], options: { includeSubmitted?: boolean } = {}) {
  const canonical = await loadClassResolver(db);
  const indexOf = new Map<string, number>();
  classNames.forEach((c, k) => { if (!indexOf.has(canonical(c))) indexOf.set(canonical(c), k); });
  const reviewed = new Set((await reviewedSlices(db, options)).map((s) => s.id));
  const rows = await db.slice.findMany({
    where: { labels: { some: {} } },
    select: { id: true, studyId: true, pixelPath: true, windowWidth: true, windowLevel: true, width: true, height: true, labels: { orderBy: { createdAt: 'desc' }, take: 1, select: { className: true, source: true } } },
  });
  return rows
    .filter((r) => r.labels[0] && (reviewed.has(r.id) || r.labels[0].source === 'IMPORTED'))
    .map(({ labels, ...r }) => ({ ...r, label: indexOf.get(canonical(labels[0].className)) ?? -1 }))
    .filter((r) => r.label >= 0);
}

/** The slice as the model sees it: stored pixels through the slice's default window, scaled to [0, 1]. */
export async function greySlice(s: Pick<ReviewedSlice, 'pixelPath' | 'windowWidth' | 'windowLevel'>): Promise<GreySlice> {
  const img = await readPixels(s.pixelPath);
  const grey = applyWindow(img.pixels, { width: s.windowWidth, level: s.windowLevel });
  const pixels = new Float32Array(grey.length);
  for (let i = 0; i < grey.length; i++) pixels[i] = grey[i] / 255;
  return { width: img.width, height: img.height, pixels };
}

/** A reviewed slice as a training sample: label map 0 background, 1 GGO, 2 C. */
export async function labelledSlice(s: ReviewedSlice): Promise<LabelledSlice> {
  return { id: s.id, image: await greySlice(s), labels: polygonsToLabelMap(s.polygons, s.width, s.height), mode: 'classes' };
}

export function splitByStudy<T extends { studyId: string }>(items: T[], valFraction = VAL_FRACTION): { train: T[]; val: T[] } {
  const studies = [...new Set(items.map((i) => i.studyId))];
  const valStudies = new Set(studies.filter((id) => splitOf(id, valFraction) === 'val'));
  // Too few studies for the hash to put one on each side: with two or more, the last one validates (or trains).
  if (studies.length >= 2 && valStudies.size === 0) valStudies.add(studies[studies.length - 1]);
  if (studies.length >= 2 && valStudies.size === studies.length) valStudies.delete(studies[0]);
  return { train: items.filter((i) => !valStudies.has(i.studyId)), val: items.filter((i) => valStudies.has(i.studyId)) };
}
