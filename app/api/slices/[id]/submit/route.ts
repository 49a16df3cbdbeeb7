import { NextResponse } from 'next/server';
import { z } from 'zod';
import { submitSlice } from '@/lib/annotations/service';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';

const submitSchema = z.object({ baseVersion: z.number().int().min(0) });

/** Submits the slice for review: 409 on a stale version, 423 when someone else holds its lease. */
export const POST = withRole<{ id: string }>('ANNOTATOR', async (_req, { params, user, json }) => {
  const { baseVersion } = await json(submitSchema, 'submit request');
  return NextResponse.json(await submitSlice(getDb(), params.id, user, baseVersion));
});
