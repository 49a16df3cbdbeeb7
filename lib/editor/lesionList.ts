/**
 * The lesion list of the editor: each polygon with its class and area, in mm² when the study knows its pixel
 * spacing (DICOM PixelSpacing: row spacing, column spacing in mm), else in pixels.
 */
import { z } from 'zod';
import { ringArea } from '@/lib/imaging/contours';
import type { EditorPolygon } from './document';

/** DICOM PixelSpacing as the importer records it: [row spacing, column spacing] in mm. */
export const pixelSpacingSchema = z.tuple([z.number().positive().finite(), z.number().positive().finite()]);
export type PixelSpacing = z.infer<typeof pixelSpacingSchema>;

/** The study's pixel spacing from its import metadata, or null when it has none (or an unusable one). */
export function pixelSpacingOf(importMeta: unknown): PixelSpacing | null {
  const parsed = z.object({ pixelSpacing: pixelSpacingSchema }).safeParse(importMeta);
  return parsed.success ? parsed.data.pixelSpacing : null;
}

export interface LesionRow {
  key: string;
  /** 1-based, as the save messages name polygons. */
  number: number;
  lesionClass: EditorPolygon['lesionClass'];
  areaPx: number;
  areaMm2: number | null;
}

/** A polygon's area in px²: its outer ring less its holes. */
export function polygonArea(p: Pick<EditorPolygon, 'points' | 'holes'>): number {
  return Math.abs(ringArea(p.points)) - p.holes.reduce((sum, h) => sum + Math.abs(ringArea(h)), 0);
}

export function lesionRows(polygons: readonly EditorPolygon[], spacing: PixelSpacing | null): LesionRow[] {
  return polygons.map((p, k) => {
    const areaPx = polygonArea(p);
    return { key: p.key, number: k + 1, lesionClass: p.lesionClass, areaPx, areaMm2: spacing ? areaPx * spacing[0] * spacing[1] : null };
  });
}

/** "12.5 mm²" or "340 px²", rounded for reading. */
export function formatArea(row: Pick<LesionRow, 'areaPx' | 'areaMm2'>): string {
  const round = (x: number) => (x >= 100 ? Math.round(x).toString() : x.toFixed(1));
  return row.areaMm2 !== null ? `${round(row.areaMm2)} mm²` : `${round(row.areaPx)} px²`;
}
