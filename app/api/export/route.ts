import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { invalid } from '@/lib/errors';
import { parseInput } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { exportDownload } from '@/lib/export/archive';
import { EXPORT_FORMATS } from '@/lib/export/write';

const exportQuerySchema = z.object({
  format: z.enum(EXPORT_FORMATS),
  status: z.enum(['accepted', 'all']).default('accepted'),
  study: z.string().min(1).max(64).optional(),
});

/** GET /api/export?format=coco|masks|csv|nifti|dicom-seg&status=accepted|all&study=<id>: the export as a download (admin); 400 when a study cannot be written in the format. */
export const GET = withRole('ADMIN', async (req) => {
  const query = parseInput(exportQuerySchema, Object.fromEntries(req.nextUrl.searchParams), 'export query');
  const db = getDb();
  if (query.study && !(await db.study.findUnique({ where: { id: query.study }, select: { id: true } }))) throw invalid(`No study with id ${query.study}`);
  const file = await exportDownload(db, query.format, { status: query.status, studyId: query.study });
  return new Response(new Uint8Array(file.body), {
    headers: { 'Content-Type': file.contentType, 'Content-Disposition': `attachment; filename="${file.fileName}"`, 'Cache-Control': 'no-store' },
  });
});
