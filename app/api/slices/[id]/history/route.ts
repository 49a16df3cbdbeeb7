import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { notFound } from '@/lib/errors';
import { withRole } from '@/lib/http/withRole';
import { sliceHistory } from '@/lib/review/history';

export const GET = withRole<{ id: string }>('ANNOTATOR', async (_req, { params }) => {
  const history = await sliceHistory(getDb(), params.id);
  if (!history) throw notFound(`Slice ${params.id}`);
  return NextResponse.json({ history });
});
