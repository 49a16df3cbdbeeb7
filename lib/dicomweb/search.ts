/**
 * Finding series on a DICOMweb server: QIDO-RS for studies by patient, date, modality and study description, then
 * for each study its series by modality and series description (plain study and series queries: every QIDO-RS
 * server answers them, unlike relational queries across levels).
 */
import { z } from 'zod';
import type { DicomJson, DicomWebClient } from './client';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD');
const text = z.string().trim().max(64);

export const seriesSearchSchema = z.object({
  patientId: text.optional(),
  /** Matched with wildcards: "doe" finds "DOE^JANE". */
  patientName: text.optional(),
  dateFrom: date.optional(),
  dateTo: date.optional(),
  modality: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{0,16}$/, 'a modality is a code such as CT').optional(),
  studyDescription: text.optional(),
  seriesDescription: text.optional(),
  /** Studies to look at (their series are all listed). */
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type SeriesSearch = z.infer<typeof seriesSearchSchema>;

export interface SeriesSummary {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  /** YYYY-MM-DD when the server gave one. */
  studyDate: string | null;
  studyDescription: string | null;
  seriesDescription: string | null;
  modality: string | null;
  seriesNumber: number | null;
  instances: number | null;
}

const TAG = {
  StudyDate: '00080020',
  ModalitiesInStudy: '00080061',
  Modality: '00080060',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  PatientName: '00100010',
  PatientID: '00100020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  NumberOfSeriesRelatedInstances: '00201209',
} as const;

/** The first value of a tag in a DICOM JSON dataset (PN values as their alphabetic form). */
export function firstValue(ds: DicomJson, tag: string): string | number | null {
  const v = (ds[tag] ?? ds[tag.toLowerCase()])?.Value?.[0];
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return (v as { Alphabetic?: string }).Alphabetic ?? null;
  return v as string | number;
}

const str = (ds: DicomJson, tag: string) => {
  const v = firstValue(ds, tag);
  return v === null || v === '' ? null : String(v);
};
const num = (ds: DicomJson, tag: string) => {
  const v = Number(firstValue(ds, tag));
  return Number.isFinite(v) && firstValue(ds, tag) !== null ? v : null;
};

/** A QIDO wildcard match for free text ("*chest*"), or undefined when empty. */
const contains = (s?: string) => (s ? `*${s.replace(/[*?]/g, '')}*` : undefined);
const dicomDate = (d?: string) => d?.replaceAll('-', '') ?? '';

/** QIDO matching keys of the study query. */
export function studyQuery(f: SeriesSearch): Record<string, string | string[] | undefined> {
  const range = f.dateFrom || f.dateTo ? `${dicomDate(f.dateFrom)}-${dicomDate(f.dateTo)}` : undefined;
  return {
    PatientID: f.patientId || undefined,
    PatientName: contains(f.patientName),
    StudyDate: range,
    ModalitiesInStudy: f.modality || undefined,
    StudyDescription: contains(f.studyDescription),
    limit: String(f.limit),
    // One includefield per attribute: some servers (Orthanc's plugin) read only the first of a comma list.
    includefield: [TAG.StudyDescription, TAG.PatientName, TAG.PatientID, TAG.StudyDate],
  };
}

export async function searchSeries(client: DicomWebClient, filters: SeriesSearch, signal?: AbortSignal): Promise<SeriesSummary[]> {
  const studies = await client.search('studies', studyQuery(filters), signal);
  const out: SeriesSummary[] = [];
  for (const study of studies) {
    const studyUid = str(study, TAG.StudyInstanceUID);
    if (!studyUid) continue;
    const series = await client.search(`studies/${encodeURIComponent(studyUid)}/series`, {
      Modality: filters.modality || undefined,
      SeriesDescription: contains(filters.seriesDescription),
      includefield: [TAG.SeriesDescription, TAG.SeriesNumber, TAG.NumberOfSeriesRelatedInstances, TAG.Modality],
    }, signal);
    for (const s of series) {
      const seriesUid = str(s, TAG.SeriesInstanceUID);
      if (!seriesUid) continue;
      const studyDate = str(study, TAG.StudyDate);
      out.push({
        studyInstanceUid: studyUid,
        seriesInstanceUid: seriesUid,
        patientId: str(study, TAG.PatientID),
        patientName: str(study, TAG.PatientName),
        studyDate: studyDate && /^\d{8}$/.test(studyDate) ? `${studyDate.slice(0, 4)}-${studyDate.slice(4, 6)}-${studyDate.slice(6)}` : studyDate,
        studyDescription: str(study, TAG.StudyDescription),
        seriesDescription: str(s, TAG.SeriesDescription),
        modality: str(s, TAG.Modality),
        seriesNumber: num(s, TAG.SeriesNumber),
        instances: num(s, TAG.NumberOfSeriesRelatedInstances),
      });
    }
  }
  return out;
}
