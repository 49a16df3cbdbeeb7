import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { conflict, notFound } from '@/lib/errors';
import { NO_BODY, withRole } from '@/lib/http/withRole';
import { cancelJob } from '@/lib/jobs/service';

/** Cancels a queued job at once, or asks a running one to stop within a step. */
export const POST = withRole<{ id: string }>('ADMIN', async (_req, { params }) => {
  const result = await cancelJob(getDb(), params.id);
  if (result === 'missing') throw notFound(`Job ${params.id}`);
  if (result === 'finished') throw conflict('The job has already finished');
  return NextResponse.json({ result });
}, NO_BODY);
