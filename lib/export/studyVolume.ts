/**
 * A study as one volume, for the per-study exports (NIfTI, DICOM-SEG): its slices in index order with their label
 * maps (the app's own rasterisation of the polygons, lib/imaging/contours.ts), and where the volume sits in the
 * patient, taken from what the importer recorded about the source (Study.importMeta):
 *  - DICOM series: ImagePositionPatient of each slice, ImageOrientationPatient and PixelSpacing (LPS) → RAS affine;
 *  - NIfTI volumes: the affine the file carried (voxel → RAS), slice k being stored slice k;
 *  - 2-D images: 1 mm voxels, identity orientation.
 */
import { DomainError } from '@/lib/errors';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { polygonsToLabelMap } from '@/lib/imaging/contours';
import { collectExport, type ExportOptions, type ExportSlice } from './collect';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

/** What lib/import/importPath.ts records about a DICOM series (the fields the exports need). */
export const dicomSourceSchema = z.object({
  format: z.literal('dicom'),
  seriesInstanceUid: z.string().nullable(),
  studyInstanceUid: z.string().nullable(),
  modality: z.string().nullable().optional(),
  seriesDescription: z.string().nullable().optional(),
  pixelSpacing: z.tuple([z.number(), z.number()]).nullable(),
  sliceThickness: z.number().nullable().optional(),
  imageOrientation: z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]).nullable(),
  frameOfReferenceUid: z.string().nullable().optional(),
  instances: z.array(z.object({ sopInstanceUid: z.string().nullable(), sopClassUid: z.string().nullable(), imagePosition: vec3.nullable() })).optional(),
  patient: z.object({ id: z.string().nullable(), name: z.string().nullable(), birthDate: z.string().nullable(), sex: z.string().nullable() }).partial().optional(),
  study: z
    .object({ date: z.string().nullable(), time: z.string().nullable(), id: z.string().nullable(), accessionNumber: z.string().nullable(), referringPhysicianName: z.string().nullable(), description: z.string().nullable() })
    .partial()
    .optional(),
});
export type DicomSource = z.infer<typeof dicomSourceSchema>;

const niftiSourceSchema = z.object({ format: z.literal('nifti'), affine: z.array(z.array(z.number()).length(4)).length(4).nullable(), pixdim: vec3.optional() });

export class VolumeExportError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
  }
}

export interface VolumeSlice extends ExportSlice {
  /** 0 background, 1 GGO, 2 C; all 0 for slices whose labels the export leaves out (status filter). */
  labels: Uint8Array;
}

export interface StudyVolume {
  studyId: string;
  scanKey: string;
  source: string;
  format: string;
  importMeta: unknown;
  width: number;
  height: number;
  /** By Slice.index (a DICOM series whose files partly failed may have gaps). */
  slices: VolumeSlice[];
}

/**
 * The studies of an export as volumes. Every slice of a study is in it (the image volume is the whole scan); with
 * status 'accepted' only accepted slices contribute labels.
 */
export async function collectStudyVolumes(db: Db, options: ExportOptions): Promise<StudyVolume[]> {
  const slices = await collectExport(db, { status: 'all', studyId: options.studyId });
  const studies = await db.study.findMany({
    where: { id: { in: [...new Set(slices.map((s) => s.studyId))] } },
    select: { id: true, scanKey: true, source: true, format: true, importMeta: true },
  });
  const byStudy = new Map(studies.map((s) => [s.id, { ...s, slices: [] as VolumeSlice[] }]));
  for (const s of slices) {
    const labelled = options.status === 'all' || s.status === 'ACCEPTED';
    byStudy.get(s.studyId)!.slices.push({ ...s, labels: labelled ? polygonsToLabelMap(s.polygons, s.width, s.height) : new Uint8Array(s.width * s.height) });
  }
  return [...byStudy.values()]
    .filter((s) => options.status === 'all' || s.slices.some((x) => x.status === 'ACCEPTED'))
    .map((s) => {
      const sizes = new Set(s.slices.map((x) => `${x.width}×${x.height}`));
      if (sizes.size > 1) throw new VolumeExportError(`study ${s.scanKey} has slices of different sizes (${[...sizes].join(', ')}): it is not one volume`);
      return { studyId: s.id, scanKey: s.scanKey, source: s.source, format: s.format, importMeta: s.importMeta, width: s.slices[0].width, height: s.slices[0].height, slices: s.slices.sort((a, b) => a.index - b.index) };
    });
}

/** The DICOM source of a study, or a VolumeExportError saying why a DICOM export cannot refer back to it. */
export function dicomSourceOf(volume: StudyVolume): DicomSource & { instances: NonNullable<DicomSource['instances']> } {
  const parsed = dicomSourceSchema.safeParse(volume.importMeta);
  if (volume.format !== 'dicom' || !parsed.success) throw new VolumeExportError(`study ${volume.scanKey} was not imported from DICOM (${volume.format}): a DICOM-SEG must refer to source DICOM instances; export it as NIfTI`);
  if (!parsed.data.instances) throw new VolumeExportError(`study ${volume.scanKey} was imported before source instance UIDs were recorded: import the series again (under another source) to export DICOM-SEG`);
  return { ...parsed.data, instances: parsed.data.instances };
}

/** Voxel (i = column, j = row, k = Slice.index) → RAS mm. */
export function volumeAffine(volume: StudyVolume, depth: number): number[][] {
  const dicom = dicomSourceSchema.safeParse(volume.importMeta);
  if (dicom.success) return dicomAffine(dicom.data, depth);
  const nifti = niftiSourceSchema.safeParse(volume.importMeta);
  if (nifti.success && nifti.data.affine) return nifti.data.affine;
  const [dx, dy, dz] = nifti.success && nifti.data.pixdim ? nifti.data.pixdim : [1, 1, 1];
  return [[dx, 0, 0, 0], [0, dy, 0, 0], [0, 0, dz, 0], [0, 0, 0, 1]];
}

/**
 * DICOM's patient frame is LPS; NIfTI's world is RAS, hence the sign flip of x and y. Column spacing is PixelSpacing[1]
 * (between columns), row spacing PixelSpacing[0]; the slice step is the mean step between the first and last slice
 * positions (the series' own order, index 0 most cranial), else the slice thickness along the normal.
 */
export function dicomAffine(meta: DicomSource, depth: number): number[][] {
  const o = meta.imageOrientation ?? [1, 0, 0, 0, 1, 0];
  const [rowSpacing, colSpacing] = meta.pixelSpacing ?? [1, 1];
  const row = o.slice(0, 3);
  const col = o.slice(3, 6);
  const positions = (meta.instances ?? []).map((i) => i.imagePosition);
  const first = positions[0];
  const last = positions[depth - 1];
  let step: number[];
  if (first && last && depth > 1) step = [0, 1, 2].map((a) => (last[a] - first[a]) / (depth - 1));
  else {
    const n = [row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2], row[0] * col[1] - row[1] * col[0]];
    step = n.map((t) => t * (meta.sliceThickness ?? 1));
  }
  const origin = first ?? [0, 0, 0];
  const lps = [0, 1, 2].map((a) => [row[a] * colSpacing, col[a] * rowSpacing, step[a], origin[a]]);
  return [lps[0].map((x) => -x), lps[1].map((x) => -x), lps[2], [0, 0, 0, 1]];
}

/** A file name for a study: its scan key made safe, without image extensions. */
export function caseName(volume: Pick<StudyVolume, 'scanKey'>): string {
  return volume.scanKey.replace(/\.(nii\.gz|nii|dcm|png|jpe?g)$/i, '').replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '').slice(-120) || 'study';
}
