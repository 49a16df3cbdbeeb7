import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { jobRequestSchema, modelKindOf } from '@/lib/jobs/requests';
import { enqueueJob, listJobs } from '@/lib/jobs/service';

export const GET = withRole('ADMIN', async () => NextResponse.json({ jobs: await listJobs(getDb()) }));

/** Queues a job: {type, config}. 409 when a training job for the same model is already queued or running. */
export const POST = withRole('ADMIN', async (_req, { user, json }) => {
  const request = await json(jobRequestSchema, 'job request');
  const job = await enqueueJob(getDb(), { type: request.type, config: request.config, createdById: user.id, modelKind: modelKindOf(request.type) });
  return NextResponse.json({ job }, { status: 201 });
});
