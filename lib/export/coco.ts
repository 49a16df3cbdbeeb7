/**
 * COCO instance-segmentation JSON. Categories 1 GGO and 2 C; each polygon is one annotation whose `segmentation` is
 * its outer ring (COCO's [x1, y1, x2, y2, …]); holes, which COCO polygons cannot express, travel in the extension
 * field `holes` (same layout) and are subtracted from `area`. The slice class is an image attribute.
 */
import { ringArea } from '@/lib/imaging/contours';
import type { ExportSlice } from './collect';

export const COCO_CATEGORIES = [
  { id: 1, name: 'GGO', supercategory: 'lesion' },
  { id: 2, name: 'C', supercategory: 'lesion' },
] as const;

const flat = (ring: [number, number][]) => ring.flatMap(([x, y]) => [x, y]);

function bbox(ring: [number, number][]): [number, number, number, number] {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return [x, y, Math.max(...xs) - x, Math.max(...ys) - y];
}

export function toCoco(slices: ExportSlice[], now = new Date()) {
  let annotationId = 0;
  return {
    info: { description: 'CT-Mask Studio export', date_created: now.toISOString(), version: '1' },
    categories: COCO_CATEGORIES,
    images: slices.map((s, k) => ({
      id: k + 1,
      file_name: s.fileName,
      width: s.width,
      height: s.height,
      slice_id: s.id,
      study: s.studyKey,
      slice_index: s.index,
      status: s.status,
      attributes: { slice_class: s.sliceClass, unsure: s.unsure },
    })),
    annotations: slices.flatMap((s, k) =>
      s.polygons.map((p) => ({
        id: ++annotationId,
        image_id: k + 1,
        category_id: p.lesionClass === 'GGO' ? 1 : 2,
        segmentation: [flat(p.points)],
        holes: p.holes.map(flat),
        area: Math.abs(ringArea(p.points)) - p.holes.reduce((sum, h) => sum + Math.abs(ringArea(h)), 0),
        bbox: bbox(p.points),
        iscrowd: 0,
        attributes: { source: p.source, status: p.status, annotation_id: p.id },
      })),
    ),
  };
}
