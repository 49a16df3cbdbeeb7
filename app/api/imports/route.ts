import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { parseInput } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { listUploads, maxUploadBytes, startUploadImport, uploadName } from '@/lib/uploads/importUpload';

/** The latest upload imports, newest first. */
export const GET = withRole('ADMIN', async () => NextResponse.json({ imports: await listUploads(getDb()) }));

const querySchema = z.object({
  name: z.string().max(500).optional(),
  /** 2-D images: one study per folder (default) or per file. */
  studyFrom: z.enum(['folder', 'file']).default('folder'),
});

/**
 * Uploads a zip (the raw request body, `?name=<file name>`) and starts importing it in the background: 202 with the
 * import's status; poll GET /api/imports/{id}. 400 for a non-zip or unsafe zip, 413 when too large, 409 while
 * another import runs.
 */
export const POST = withRole('ADMIN', async (req, { user }) => {
  const query = parseInput(querySchema, Object.fromEntries(req.nextUrl.searchParams), 'upload parameters');
  const status = await startUploadImport(getDb(), req.body, uploadName(query.name), { importedById: user.id, studyFrom: query.studyFrom });
  return NextResponse.json({ import: status }, { status: 202 });
}, { maxBodyBytes: maxUploadBytes() });
