import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { parseOr400 } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { browseSlices, sliceQuerySchema } from '@/lib/slices/browse';

export const GET = withRole('ANNOTATOR', async (req) => {
  const query = parseOr400(sliceQuerySchema, Object.fromEntries(req.nextUrl.searchParams), 'slice query');
  return NextResponse.json(await browseSlices(getDb(), query));
});
