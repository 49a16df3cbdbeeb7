import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { parseInput } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { browseSlices, sliceQuerySchema } from '@/lib/slices/browse';

export const GET = withRole('ANNOTATOR', async (req) => {
  const query = parseInput(sliceQuerySchema, Object.fromEntries(req.nextUrl.searchParams), 'slice query');
  return NextResponse.json(await browseSlices(getDb(), query));
});
