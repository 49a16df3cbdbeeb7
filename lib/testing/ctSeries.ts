/**
 * A small generated CT series for the DICOMweb and DICOM-SEG tests: a body ellipse of soft tissue (40 HU) with two
 * lungs (−850 HU), stored unsigned with RescaleIntercept −1024 (so HU come only from the rescale), tilted-free axial
 * geometry with a known origin, spacing and slice step, and the patient/study attributes a PACS indexes. Slices can
 * be handed out shuffled, so the importer's ordering by position is what puts them right.
 */
import { dicomBytes } from './ctFixtures';
import { randoms } from './randoms';

export interface SyntheticSeriesOptions {
  slices?: number;
  size?: number;
  studyUid?: string;
  seriesUid?: string;
  patientId?: string;
  patientName?: string;
  /** YYYYMMDD */
  studyDate?: string;
  studyDescription?: string;
  seriesDescription?: string;
  /** Pixel spacing [row, column] in mm. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  /** Distance between slice positions (mm). */
  step?: number;
  origin?: [number, number, number];
  transferSyntax?: string;
  seed?: number;
  /** HU of slice `index` (size² values, row-major) instead of the generated body phantom. */
  huOf?: (index: number) => Int16Array;
}

export interface SyntheticInstance {
  bytes: Buffer;
  sopInstanceUid: string;
  /** Index 0 is the most cranial slice (highest z in LPS). */
  index: number;
  position: [number, number, number];
  /** Expected HU, row-major. */
  hu: Int16Array;
}

export const RESCALE_INTERCEPT = -1024;

export function syntheticCtSeries(o: SyntheticSeriesOptions = {}): SyntheticInstance[] {
  const n = o.slices ?? 6;
  const size = o.size ?? 48;
  const studyUid = o.studyUid ?? '2.25.31000';
  const seriesUid = o.seriesUid ?? '2.25.31001';
  const spacing = o.pixelSpacing ?? [0.8, 0.7];
  const step = o.step ?? 2.5;
  const origin = o.origin ?? [-20, -18, 100];
  const noise = randoms(n * size * size, o.seed ?? 7);
  const out: SyntheticInstance[] = [];
  for (let index = 0; index < n; index++) {
    const hu = o.huOf?.(index) ?? phantomSlice(index, size, noise);
    const stored = Uint16Array.from(hu, (v) => Math.max(0, v - RESCALE_INTERCEPT));
    const position: [number, number, number] = [origin[0], origin[1], origin[2] - index * step];
    const sopInstanceUid = `${seriesUid}.${index + 1}`;
    out.push({
      index,
      position,
      hu,
      sopInstanceUid,
      bytes: dicomBytes({
        rows: size,
        cols: size,
        stored,
        intercept: RESCALE_INTERCEPT,
        bitsStored: 12,
        position,
        orientation: [1, 0, 0, 0, 1, 0],
        instanceNumber: n - index, // deliberately not the cranial order: position decides
        seriesUid,
        sopUid: sopInstanceUid,
        patientId: o.patientId ?? 'CTMS-PAT-1',
        transferSyntax: o.transferSyntax,
        window: { width: 1500, level: -600 },
        extra: {
          StudyInstanceUID: studyUid,
          FrameOfReferenceUID: `${studyUid}.9`,
          PatientName: o.patientName ?? 'DOE^JANE',
          PatientBirthDate: '19700101',
          PatientSex: 'F',
          StudyDate: o.studyDate ?? '20240315',
          StudyTime: '101500',
          StudyID: 'S1',
          AccessionNumber: 'ACC1',
          ReferringPhysicianName: 'REF^DOC',
          StudyDescription: o.studyDescription ?? 'CHEST CT',
          SeriesDescription: o.seriesDescription ?? 'AXIAL LUNG 2.5',
          SeriesNumber: 3,
          PixelSpacing: spacing,
          SliceThickness: o.sliceThickness ?? step,
        },
      }),
    });
  }
  return out;
}

/** Air outside an ellipse of soft tissue with two lungs; a little noise so no two slices hash alike. */
function phantomSlice(index: number, size: number, noise: Float32Array): Int16Array {
  const hu = new Int16Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x - size / 2) / (size * 0.45);
      const v = (y - size / 2) / (size * 0.35);
      const inBody = u * u + v * v < 1;
      const lung = inBody && Math.abs(u) > 0.15 && Math.abs(u) < 0.8 && Math.abs(v) < 0.7;
      hu[y * size + x] = !inBody ? -1000 : lung ? -850 + index * 3 : 40 + Math.round(noise[(index * size + y) * size + x] * 10);
    }
  }
  return hu;
}
