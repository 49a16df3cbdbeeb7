/**
 * Writes an export folder:
 *  - coco:  annotations.json (lib/export/coco.ts);
 *  - masks: images/<slice>.png (the slice through its stored window, 8-bit grey), masks/<slice>.png (grey label
 *           values 0 background, 1 GGO, 2 C) and labels.csv — a folder the project's importer reads back as it is;
 *  - csv:   slice-classes.csv (file, class, unsure, slice id, study, index, status);
 *  - nifti, dicom-seg: one label volume per study (lib/export/studyExports.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '@/lib/db/client';
import { toCsv } from '@/lib/dashboard/csv';
import { polygonsToLabelMap } from '@/lib/imaging/contours';
import { readPixels } from '@/lib/imaging/pixelStore';
import { applyWindow } from '@/lib/imaging/window';
import { collectExport, type ExportOptions, type ExportSlice } from './collect';
import { toCoco } from './coco';
import { STUDY_FORMATS, writeStudyExports, type StudyFormat } from './studyExports';

export const EXPORT_FORMATS = ['coco', 'masks', 'csv', ...STUDY_FORMATS] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function sliceClassesCsv(slices: ExportSlice[]): string {
  return toCsv({
    columns: ['file', 'class', 'unsure', 'slice_id', 'study', 'index', 'status'].map((key) => ({ key, label: key })),
    rows: slices.map((s) => ({ file: s.fileName, class: s.sliceClass, unsure: s.unsure, slice_id: s.id, study: s.studyKey, index: s.index, status: s.status })),
  });
}

const greyPng = (pixels: Uint8Array, width: number, height: number) => sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer();

export async function writeExport(db: Db, format: ExportFormat, outDir: string, options: ExportOptions, onProgress?: (done: number, total: number) => void): Promise<{ slices: number; polygons: number; files: string[]; skipped?: { study: string; reason: string }[] }> {
  if ((STUDY_FORMATS as readonly string[]).includes(format)) return writeStudyExports(db, format as StudyFormat, outDir, options, onProgress);
  const slices = await collectExport(db, options);
  await fs.mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const write = async (rel: string, data: string | Buffer) => {
    const file = path.join(outDir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data);
    files.push(rel);
  };
  if (format === 'coco') await write('annotations.json', JSON.stringify(toCoco(slices), null, 1));
  if (format === 'csv') await write('slice-classes.csv', sliceClassesCsv(slices));
  if (format === 'masks') {
    for (const [k, s] of slices.entries()) {
      const img = await readPixels(s.pixelPath);
      await write(`images/${s.fileName}`, await greyPng(applyWindow(img.pixels, { width: s.windowWidth, level: s.windowLevel }) as Uint8Array, s.width, s.height));
      await write(`masks/${s.fileName}`, await greyPng(polygonsToLabelMap(s.polygons, s.width, s.height), s.width, s.height));
      onProgress?.(k + 1, slices.length);
    }
    // Only slices with a class: the importer reads every row of labels.csv as a file's class.
    await write('labels.csv', sliceClassesCsv(slices.filter((s) => s.sliceClass)));
  }
  return { slices: slices.length, polygons: slices.reduce((n, s) => n + s.polygons.length, 0), files };
}
