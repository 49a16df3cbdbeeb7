import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { resumeDicomWebImport } from '@/lib/dicomweb/importJobs';
import { NO_BODY, withRole } from '@/lib/http/withRole';

/** Runs a failed or cancelled DICOMweb import again as a new job: imported series are skipped, the rest retried. */
export const POST = withRole<{ id: string }>('ADMIN', async (_req, { params, user }) => {
  const job = await resumeDicomWebImport(getDb(), params.id, user.id);
  return NextResponse.json({ job }, { status: 201 });
}, NO_BODY);
