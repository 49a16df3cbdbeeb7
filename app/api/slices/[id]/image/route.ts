import { getDb } from '@/lib/db/client';
import { invalid, notFound } from '@/lib/errors';
import { parseInput } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { imageQuerySchema, renderSlicePng, resolveWindow, sliceImageEtag } from '@/lib/slices/image';

/**
 * GET /api/slices/{id}/image?window=lung|mediastinal|<width>,<level>&size=full|thumb → PNG, with ETag revalidation.
 * The named (HU) presets are refused with 400 on slices that store 8-bit display values.
 */
export const GET = withRole<{ id: string }>('ANNOTATOR', async (req, { params }) => {
  const query = parseInput(imageQuerySchema, Object.fromEntries(req.nextUrl.searchParams), 'image query');
  const slice = await getDb().slice.findUnique({
    where: { id: params.id },
    select: { pixelPath: true, contentHash: true, windowWidth: true, windowLevel: true, pixelKind: true },
  });
  if (!slice) throw notFound(`Slice ${params.id}`);
  let win;
  try {
    win = resolveWindow(slice, query.window);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const etag = sliceImageEtag(slice, win, query.size);
  // Private: images are only for signed-in users, so no shared cache may keep them.
  const headers = { ETag: etag, 'Cache-Control': 'private, max-age=3600, must-revalidate' };
  if (req.headers.get('if-none-match')?.split(/\s*,\s*/).includes(etag)) return new Response(null, { status: 304, headers });
  const png = await renderSlicePng(slice, win, query.size);
  return new Response(new Uint8Array(png), { headers: { ...headers, 'Content-Type': 'image/png', 'Content-Length': String(png.length) } });
});
