import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { DICOMWEB_IMPORT_JOB, startDicomWebImport } from '@/lib/dicomweb/importJobs';
import { dicomWebImportConfigSchema } from '@/lib/dicomweb/importSeries';
import { withRole } from '@/lib/http/withRole';

/** The latest DICOMweb import jobs, newest first (progress and log: GET /api/jobs/{id}). */
export const GET = withRole('ADMIN', async () => {
  const jobs = await getDb().job.findMany({
    where: { type: DICOMWEB_IMPORT_JOB },
    orderBy: { createdAt: 'desc' },
    take: 20,
    select: { id: true, status: true, progress: true, error: true, config: true, createdAt: true, finishedAt: true },
  });
  return NextResponse.json({ jobs });
});

/** Queues an import of the chosen series: {serverId, series: [{studyInstanceUid, seriesInstanceUid, label}]} → 201 {job}. */
export const POST = withRole('ADMIN', async (_req, { user, json }) => {
  const config = await json(dicomWebImportConfigSchema, 'DICOMweb import');
  const job = await startDicomWebImport(getDb(), config, user.id);
  return NextResponse.json({ job }, { status: 201 });
});
