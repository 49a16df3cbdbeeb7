import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { notFound } from '@/lib/errors';
import { withRole } from '@/lib/http/withRole';
import { sliceDetail } from '@/lib/slices/browse';

export const GET = withRole<{ id: string }>('ANNOTATOR', async (_req, { params }) => {
  const slice = await sliceDetail(getDb(), params.id);
  if (!slice) throw notFound(`Slice ${params.id}`);
  return NextResponse.json(slice);
});
