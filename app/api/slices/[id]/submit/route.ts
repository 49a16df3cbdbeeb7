import { NextResponse } from 'next/server';
import { z } from 'zod';
import { submitSlice } from '@/lib/annotations/service';
import { getDb } from '@/lib/db/client';
import { asHttp } from '@/lib/http/annotationErrors';
import { parseJsonBody } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';

const submitSchema = z.object({ baseVersion: z.number().int().min(0) });

export const POST = withRole<{ id: string }>('ANNOTATOR', async (req, { params, user }) => {
  const { baseVersion } = await parseJsonBody(req, submitSchema, 'submit request');
  return NextResponse.json(await asHttp(submitSlice(getDb(), params.id, user, baseVersion)));
});
