import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { Db } from '@/lib/db/client';
import type { ExportOptions } from './collect';
import { writeExport, type ExportFormat } from './write';

/** An export as one downloadable file: the JSON or CSV itself, or a zip of the folder (masks, NIfTI, DICOM-SEG). */
export async function exportDownload(db: Db, format: ExportFormat, options: ExportOptions): Promise<{ body: Uint8Array; contentType: string; fileName: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-export-'));
  try {
    const { files } = await writeExport(db, format, dir, options);
    const stamp = new Date().toISOString().slice(0, 10);
    if (format === 'coco') return { body: await fs.readFile(path.join(dir, files[0])), contentType: 'application/json', fileName: `ct-mask-studio-coco-${stamp}.json` };
    if (format === 'csv') return { body: await fs.readFile(path.join(dir, files[0])), contentType: 'text/csv; charset=utf-8', fileName: `ct-mask-studio-slice-classes-${stamp}.csv` };
    const entries: Record<string, Uint8Array> = {};
    // PNGs and .nii.gz are already compressed: store them; deflate the rest (CSV, DICOM-SEG).
    for (const rel of files) entries[rel] = await fs.readFile(path.join(dir, rel));
    const body = zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: /\.(png|gz)$/.test(k) ? 0 : 6 }]])));
    return { body, contentType: 'application/zip', fileName: `ct-mask-studio-${format}-${stamp}.zip` };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
