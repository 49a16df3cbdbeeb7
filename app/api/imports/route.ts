import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { HttpError, parseOr400 } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { listUploads, startUploadImport, uploadName, UploadError } from '@/lib/uploads/importUpload';

/** The latest upload imports of this app process, newest first. */
export const GET = withRole('ADMIN', async () => NextResponse.json({ imports: listUploads() }));

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
  const query = parseOr400(querySchema, Object.fromEntries(req.nextUrl.searchParams), 'upload parameters');
  try {
    const status = await startUploadImport(getDb(), req.body, uploadName(query.name), { importedById: user.id, studyFrom: query.studyFrom });
    return NextResponse.json({ import: status }, { status: 202 });
  } catch (error) {
    if (error instanceof UploadError) throw new HttpError(error.status, error.message);
    throw error;
  }
});
