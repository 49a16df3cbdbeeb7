import { z } from 'zod';
import { SecretBoxError } from '@/lib/crypto/secretBox';
import { DicomWebError } from '@/lib/dicomweb/client';
import { ImportJobStateError } from '@/lib/dicomweb/importJobs';
import { ServerNameTakenError, ServerNotFoundError } from '@/lib/dicomweb/servers';
import { VolumeExportError } from '@/lib/export/studyVolume';
import { HttpError } from './errors';

/**
 * Maps the DICOMweb and per-study export errors onto HTTP: an unknown server 404, a taken name or a job in the wrong
 * state 409, what the remote server did wrong 502 (its message says what), an export the study cannot give 400.
 */
export async function asHttp<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ServerNotFoundError) throw new HttpError(404, error.message);
    if (error instanceof ServerNameTakenError || error instanceof ImportJobStateError) throw new HttpError(409, error.message);
    if (error instanceof DicomWebError) throw new HttpError(502, `DICOMweb server: ${error.message}`);
    if (error instanceof SecretBoxError) throw new HttpError(409, error.message);
    if (error instanceof VolumeExportError) throw new HttpError(400, error.message);
    if (error instanceof z.ZodError) throw new HttpError(400, `Invalid input: ${z.prettifyError(error)}`, error.issues);
    throw error;
  }
}
