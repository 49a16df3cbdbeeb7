import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { acceptSlice, rejectSlice } from '@/lib/review/service';

const decisionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept'), baseVersion: z.number().int().min(0) }),
  z.object({ action: z.literal('reject'), baseVersion: z.number().int().min(0), comment: z.string().trim().min(1, 'a rejection needs a comment').max(2000) }),
]);

/** A reviewer's decision on a slice: accept, or reject with a comment for the annotator. */
export const POST = withRole<{ id: string }>('REVIEWER', async (_req, { params, user, json }) => {
  const decision = await json(decisionSchema, 'review decision');
  const db = getDb();
  const result = decision.action === 'accept' ? await acceptSlice(db, params.id, user, decision.baseVersion) : await rejectSlice(db, params.id, user, decision.baseVersion, decision.comment);
  return NextResponse.json(result);
});
