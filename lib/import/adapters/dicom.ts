/**
 * DICOM series: files grouped by SeriesInstanceUID (a folder without one is a series), ordered most cranial first
 * (readers/dicom.ts orderSeries), decoded one by one into one unit per series; a file that fails is reported and
 * left out, unless the import asks for whole series only.
 */
import path from 'node:path';
import { orderSeries, readDicomFile, type DicomHeader } from '@/lib/imaging/readers/dicom';
import { ImportError } from '@/lib/imaging/readers/importError';
import { DEFAULT_HU_WINDOW } from '@/lib/imaging/window';
import type { ImportUnit, PreparedSlice, PreparedUnit } from '../types';
import type { AdapterContext } from './context';

/** With options.wholeSeries: a series with any failed file (or an unreadable file beside it) is dropped whole. */
export function wholeSeriesOnly(ctx: AdapterContext, prepared: PreparedUnit, series: DicomHeader[], unreadable: number): PreparedUnit {
  const failed = prepared.failures.length + unreadable;
  if (!ctx.options.wholeSeries || failed === 0 || !prepared.unit) return prepared;
  const first = series[0];
  const reason = `series ${first.seriesInstanceUid ?? path.dirname(first.file)} not imported: ${failed} of ${series.length + unreadable} files failed, and a series is imported whole or not at all`;
  return { ...prepared, unit: null, failures: [...prepared.failures, { file: first.file, err: new ImportError(first.file, reason) }] };
}

/** DICOM headers grouped by SeriesInstanceUID (files without one form a series per folder), each ordered. */
export function groupSeries(headers: DicomHeader[]): ReturnType<typeof orderSeries<DicomHeader>>[] {
  const groups = new Map<string, DicomHeader[]>();
  for (const h of headers) {
    const key = h.seriesInstanceUid ?? `folder:${path.dirname(h.file)}`;
    const group = groups.get(key);
    if (group) group.push(h);
    else groups.set(key, [h]);
  }
  return [...groups.values()].map((g) => orderSeries(g));
}

/** Decodes the series' slices one by one; a file that fails is reported and left out, the rest go on. */
export async function dicomSeriesUnit(ctx: AdapterContext, series: DicomHeader[], by: string): Promise<PreparedUnit> {
  const failures: PreparedUnit['failures'] = [];
  const first = series[0];
  const folders = [...new Set(series.map((h) => path.dirname(h.file)))];
  const slices: PreparedSlice[] = [];
  const huWindow = ctx.options.huWindow ?? DEFAULT_HU_WINDOW;
  for (let index = 0; index < series.length; index++) {
    const file = series[index].file;
    try {
      if (series[index].width !== first.width || series[index].height !== first.height) {
        throw new ImportError(file, `is ${series[index].width}×${series[index].height} but its series is ${first.width}×${first.height}`);
      }
      const s = await readDicomFile(file);
      const mask = await ctx.maskFor(file, s.width, s.height);
      slices.push({
        // The index is the place in the ordered series (gaps where a file failed keep re-imports stable).
        index,
        file,
        image: { kind: 'HU', width: s.width, height: s.height, pixels: s.hu },
        window: s.window ?? huWindow,
        polygons: mask ? ctx.polygonsOf(mask.labels, mask.width, mask.height, mask.mode) : [],
        className: ctx.sliceClass(file, folders.map((f) => path.relative(ctx.root, f).split(path.sep).join('/') || path.basename(f))),
      });
    } catch (err) {
      failures.push({ file, err });
    }
  }
  const files = series.map((h) => h.file);
  if (slices.length === 0) return { unit: null, failures, files };
  const unit: ImportUnit = {
    scanKey: first.seriesInstanceUid ?? ctx.keyOf(folders[0]),
    format: 'dicom',
    patientId: first.patientId,
    importMeta: {
      format: 'dicom',
      seriesInstanceUid: first.seriesInstanceUid ?? null,
      studyInstanceUid: first.studyInstanceUid ?? null,
      seriesDescription: first.seriesDescription ?? null,
      modality: first.modality ?? null,
      orderedBy: by,
      pixelSpacing: first.pixelSpacing ?? null,
      sliceThickness: first.sliceThickness ?? null,
      imageOrientation: first.imageOrientation ?? null,
      rescale: first.rescale,
      frameOfReferenceUid: first.frameOfReferenceUid ?? null,
      files: series.map((h) => ctx.keyOf(h.file)),
      // Per Slice.index: what a derived object (DICOM-SEG, NIfTI geometry) needs to point back at the source.
      instances: series.map((h) => ({ sopInstanceUid: h.sopInstanceUid ?? null, sopClassUid: h.sopClassUid ?? null, imagePosition: h.imagePosition ?? null })),
      patient: { id: first.patientId ?? null, name: first.patientName ?? null, birthDate: first.patientBirthDate ?? null, sex: first.patientSex ?? null },
      study: {
        date: first.studyDate ?? null,
        time: first.studyTime ?? null,
        id: first.studyId ?? null,
        accessionNumber: first.accessionNumber ?? null,
        referringPhysicianName: first.referringPhysicianName ?? null,
        description: first.studyDescription ?? null,
      },
    },
    file: first.file,
    slices,
  };
  return { unit, failures, files };
}
