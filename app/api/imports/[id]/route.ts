import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { notFound } from '@/lib/errors';
import { withRole } from '@/lib/http/withRole';
import { uploadStatus } from '@/lib/uploads/importUpload';

/** One upload import's progress {done, total, file}, then its summary and per-file errors. */
export const GET = withRole<{ id: string }>('ADMIN', async (_req, { params }) => {
  const status = await uploadStatus(getDb(), params.id);
  if (!status) throw notFound(`Import ${params.id}`);
  return NextResponse.json({ import: status });
});
