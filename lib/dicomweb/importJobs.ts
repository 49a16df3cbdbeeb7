/** Starting and resuming DICOMweb import jobs (the worker runs them: lib/jobs/handlers/importDicomWeb.ts). */
import { DomainError } from '@/lib/errors';
import type { Db } from '@/lib/db/client';
import { enqueueJob } from '@/lib/jobs/service';
import type { JobQueue } from '@/lib/jobs/queue';
import { dicomWebImportConfigSchema, type DicomWebImportConfig } from './importSeries';
import { getServer } from './servers';

export const DICOMWEB_IMPORT_JOB = 'import-dicomweb';

export class ImportJobStateError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export async function startDicomWebImport(db: Db, config: DicomWebImportConfig, createdById: string | null, queue?: JobQueue) {
  const parsed = dicomWebImportConfigSchema.parse(config);
  await getServer(db, parsed.serverId); // ServerNotFoundError before anything is queued
  return enqueueJob(db, { type: DICOMWEB_IMPORT_JOB, config: parsed, createdById }, queue);
}

/**
 * Runs a failed or cancelled import again as a new job with the same series; those already imported are skipped,
 * so only the missing ones are downloaded.
 */
export async function resumeDicomWebImport(db: Db, jobId: string, createdById: string | null, queue?: JobQueue) {
  const job = await db.job.findUnique({ where: { id: jobId }, select: { type: true, status: true, config: true } });
  if (!job || job.type !== DICOMWEB_IMPORT_JOB) throw new ImportJobStateError(`no DICOMweb import job ${jobId}`);
  if (job.status !== 'FAILED' && job.status !== 'CANCELLED') throw new ImportJobStateError(`job ${jobId} is ${job.status.toLowerCase()}: only a failed or cancelled import is resumed`);
  return startDicomWebImport(db, dicomWebImportConfigSchema.parse(job.config), createdById, queue);
}
