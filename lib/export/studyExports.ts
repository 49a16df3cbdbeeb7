/**
 * The per-study export formats: `nifti` (images/<case>.nii.gz + labels/<case>.nii.gz) and `dicom-seg`
 * (<case>.seg.dcm). A study that cannot be written in the format (a DICOM-SEG of a PNG study, a volume with a
 * missing slice) is reported and skipped when exporting everything, and is an error when it was asked for by id.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '@/lib/db/client';
import type { ExportOptions } from './collect';
import { studyToDicomSeg } from './dicomSeg';
import { studyToNifti } from './niftiExport';
import { caseName, collectStudyVolumes, VolumeExportError } from './studyVolume';

export const STUDY_FORMATS = ['nifti', 'dicom-seg'] as const;
export type StudyFormat = (typeof STUDY_FORMATS)[number];

export interface StudyExportResult {
  slices: number;
  polygons: number;
  files: string[];
  studies: number;
  skipped: { study: string; reason: string }[];
}

export async function writeStudyExports(db: Db, format: StudyFormat, outDir: string, options: ExportOptions, onProgress?: (done: number, total: number) => void): Promise<StudyExportResult> {
  const volumes = await collectStudyVolumes(db, options);
  if (volumes.length === 0) throw new VolumeExportError(options.status === 'accepted' ? 'no study has an accepted slice yet (use --status all to export every study)' : 'no study to export');
  const result: StudyExportResult = { slices: 0, polygons: 0, files: [], studies: 0, skipped: [] };
  const names = new Set<string>();
  const write = async (rel: string, data: Buffer) => {
    await fs.mkdir(path.dirname(path.join(outDir, rel)), { recursive: true });
    await fs.writeFile(path.join(outDir, rel), data);
    result.files.push(rel);
  };
  for (const [k, volume] of volumes.entries()) {
    let name = caseName(volume);
    if (names.has(name)) name = `${name}-${volume.studyId.slice(-8)}`;
    names.add(name);
    try {
      if (format === 'nifti') {
        const { image, label } = await studyToNifti(volume);
        await write(`images/${name}.nii.gz`, image);
        await write(`labels/${name}.nii.gz`, label);
      } else {
        await write(`${name}.seg.dcm`, studyToDicomSeg(volume).bytes);
      }
      result.studies++;
      result.slices += volume.slices.length;
      result.polygons += volume.slices.reduce((n, s) => n + (s.labels.some((v) => v > 0) ? s.polygons.length : 0), 0);
    } catch (err) {
      if (!(err instanceof VolumeExportError) || options.studyId) throw err;
      result.skipped.push({ study: volume.scanKey, reason: err.message });
    }
    onProgress?.(k + 1, volumes.length);
  }
  if (result.studies === 0) throw new VolumeExportError(`no study could be exported as ${format}: ${result.skipped.map((s) => s.reason).join('; ')}`);
  return result;
}
