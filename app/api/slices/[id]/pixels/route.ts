import { getDb } from '@/lib/db/client';
import { readPixels } from '@/lib/imaging/pixelStore';
import { notFound } from '@/lib/errors';
import { withRole } from '@/lib/http/withRole';

/**
 * The stored pixels as raw little-endian Int16 (HU) or Uint8 (windowed), so the editor can apply window/level
 * while dragging and show the value under the cursor without a round trip per frame.
 */
export const GET = withRole<{ id: string }>('ANNOTATOR', async (req, { params }) => {
  const slice = await getDb().slice.findUnique({ where: { id: params.id }, select: { pixelPath: true, contentHash: true } });
  if (!slice) throw notFound(`Slice ${params.id}`);
  const etag = `"px-${slice.contentHash.slice(0, 32)}"`;
  const headers = { ETag: etag, 'Cache-Control': 'private, max-age=86400' };
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const img = await readPixels(slice.pixelPath);
  const bytes = (img.pixels.buffer as ArrayBuffer).slice(img.pixels.byteOffset, img.pixels.byteOffset + img.pixels.byteLength);
  return new Response(bytes, {
    headers: { ...headers, 'Content-Type': 'application/octet-stream', 'X-Pixel-Kind': img.kind, 'X-Width': String(img.width), 'X-Height': String(img.height) },
  });
});
