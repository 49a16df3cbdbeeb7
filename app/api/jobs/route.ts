import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { conflict, parseJsonBody } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { jobRequestSchema, modelKindOf } from '@/lib/jobs/requests';
import { enqueueJob, listJobs } from '@/lib/jobs/service';
import { JobConflictError } from '@/lib/jobs/store';

export const GET = withRole('ADMIN', async () => NextResponse.json({ jobs: await listJobs(getDb()) }));

/** Queues a job: {type, config}. 409 when a training job for the same model is already queued or running. */
export const POST = withRole('ADMIN', async (req, { user }) => {
  const request = await parseJsonBody(req, jobRequestSchema, 'job request');
  try {
    const job = await enqueueJob(getDb(), { type: request.type, config: request.config, createdById: user.id, modelKind: modelKindOf(request.type) });
    return NextResponse.json({ job }, { status: 201 });
  } catch (error) {
    if (error instanceof JobConflictError) throw conflict(error.message);
    throw error;
  }
});
