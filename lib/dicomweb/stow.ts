/**
 * Sending a study's DICOM-SEG back to the DICOMweb server its series was imported from (STOW-RS), so the labels
 * appear in the PACS beside the CT, for OHIF or 3D Slicer to open.
 */
import type { Db } from '@/lib/db/client';
import type { ExportOptions } from '@/lib/export/collect';
import { studyToDicomSeg } from '@/lib/export/dicomSeg';
import { collectStudyVolumes, type StudyVolume } from '@/lib/export/studyVolume';
import { DicomWebClient, DicomWebError } from './client';
import { serverEndpoint, serverIdOfSource } from './servers';

export type StowOutcome =
  | { ok: true; study: string; studyId: string; server: string; sopInstanceUid: string; seriesInstanceUid: string }
  | { ok: false; study: string; studyId: string | null; error: string };

const FAILED_SOP_SEQUENCE = '00081198';

export async function stowStudy(db: Db, volume: StudyVolume, signal?: AbortSignal): Promise<StowOutcome> {
  const serverId = serverIdOfSource(volume.source);
  if (!serverId) return { ok: false, study: volume.scanKey, studyId: volume.studyId, error: 'not imported from a DICOMweb server: there is nowhere to send its DICOM-SEG back to' };
  try {
    const server = await serverEndpoint(db, serverId);
    const seg = studyToDicomSeg(volume);
    const answer = await new DicomWebClient(server).store([seg.bytes], seg.studyInstanceUid, signal);
    const failed = answer?.[FAILED_SOP_SEQUENCE]?.Value ?? answer?.[FAILED_SOP_SEQUENCE.toLowerCase()]?.Value;
    if (failed?.length) return { ok: false, study: volume.scanKey, studyId: volume.studyId, error: `${server.name} refused the DICOM-SEG (FailedSOPSequence: ${JSON.stringify(failed).slice(0, 300)})` };
    return { ok: true, study: volume.scanKey, studyId: volume.studyId, server: server.name, sopInstanceUid: seg.sopInstanceUid, seriesInstanceUid: seg.seriesInstanceUid };
  } catch (err) {
    if (signal?.aborted && !(err instanceof DicomWebError)) throw err;
    return { ok: false, study: volume.scanKey, studyId: volume.studyId, error: (err as Error).message };
  }
}

/** STOW of every study of an export that came from a DICOMweb server (or the one study asked for). */
export async function stowStudies(db: Db, options: ExportOptions, signal?: AbortSignal): Promise<StowOutcome[]> {
  const volumes = (await collectStudyVolumes(db, options)).filter((v) => options.studyId || serverIdOfSource(v.source));
  if (volumes.length === 0) return [{ ok: false, study: '—', studyId: null, error: 'no study of this export was imported from a DICOMweb server' }];
  const out: StowOutcome[] = [];
  for (const v of volumes) out.push(await stowStudy(db, v, signal));
  return out;
}
