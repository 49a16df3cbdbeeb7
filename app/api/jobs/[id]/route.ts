import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { notFound } from '@/lib/errors';
import { withRole } from '@/lib/http/withRole';
import { jobDetail } from '@/lib/jobs/service';

/** One job with its progress, loss history and log (polled by the admin console). */
export const GET = withRole<{ id: string }>('ADMIN', async (_req, { params }) => {
  const job = await jobDetail(getDb(), params.id);
  if (!job) throw notFound(`Job ${params.id}`);
  return NextResponse.json({ job });
});
