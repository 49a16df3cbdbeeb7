import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { onnxDownload } from '@/lib/models/onnxDownload';

/** GET /api/models/:id/onnx — the segmenter version as an ONNX export (zip of the graphs and their JSON sidecar). */
export const GET = withRole<{ id: string }>('ADMIN', async (_req, { params }) => {
  const file = await onnxDownload(getDb(), params.id);
  return new Response(new Uint8Array(file.body), {
    headers: { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${file.fileName}"`, 'Cache-Control': 'no-store' },
  });
});
