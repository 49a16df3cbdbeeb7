/**
 * import-dicomweb: retrieves the chosen series from a DICOMweb server and imports them (lib/dicomweb/importSeries.ts).
 * Progress counts series; the log has one line per series. When a series fails the job fails with the list, after
 * importing all the others: a retry (automatic for transient failures such as a server that was down, or the
 * admin's "Resume") downloads only the series that are still missing.
 */
import path from 'node:path';
import { dicomWebImportConfigSchema, importSeriesFromServer, seriesName, type DicomWebImportConfig } from '@/lib/dicomweb/importSeries';
import { serverEndpoint, ServerNotFoundError } from '@/lib/dicomweb/servers';
import { defineJobType, PermanentJobError, type JobContext, type JobOutcome } from '../types';
import { jobDir } from './common';

async function runDicomWebImport(ctx: JobContext, config: DicomWebImportConfig): Promise<JobOutcome> {
  const server = await serverEndpoint(ctx.db, config.serverId).catch((err: unknown) => {
    throw err instanceof ServerNotFoundError ? new PermanentJobError(err.message) : err;
  });
  const job = await ctx.db.job.findUnique({ where: { id: ctx.jobId }, select: { createdById: true } });
  await ctx.log(`importing ${config.series.length} series from ${server.name} (${server.baseUrl})`);
  const outcomes = await importSeriesFromServer(ctx.db, server, config.series, {
    workDir: path.join(jobDir(ctx.jobId), 'dicomweb'),
    importedById: job?.createdById ?? undefined,
    signal: ctx.signal,
    log: ctx.log,
    progress: (done, total, message) => ctx.progress({ step: done, totalSteps: total, message }),
  });
  const failed = outcomes.filter((o) => o.state === 'failed');
  const imported = outcomes.filter((o) => o.state === 'imported').length;
  const skipped = outcomes.filter((o) => o.state === 'already-imported').length;
  const counts = `${imported} imported, ${skipped} already there, ${failed.length} failed`;
  if (failed.length === 0) return { message: `${outcomes.length} series: ${counts}` };
  const list = failed.map((f) => `${seriesName(f.series)}: ${f.state === 'failed' ? f.reason : ''}`).join(' | ');
  const message = `${failed.length} of ${outcomes.length} series could not be imported (${counts}); nothing of them was kept; resume the job to retry them. ${list}`;
  // Only a server that may answer better later is worth an automatic retry.
  throw failed.some((f) => f.state === 'failed' && f.transient) ? new Error(message) : new PermanentJobError(message);
}

export const importDicomWebJob = defineJobType({
  name: 'import-dicomweb',
  description: 'Retrieves chosen series from a DICOMweb server (PACS) and imports them; a retry fetches only the missing ones.',
  configSchema: dicomWebImportConfigSchema,
  run: runDicomWebImport,
});
