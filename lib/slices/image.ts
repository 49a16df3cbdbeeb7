import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { z } from 'zod';
import { applyWindow, parseWindow, WINDOW_PRESETS, type PixelKind, type Window } from '@/lib/imaging/window';
import { readPixels } from '@/lib/imaging/pixelStore';

/** Longest side of a thumbnail in the slice browser. */
export const THUMBNAIL_SIZE = 192;

export const imageQuerySchema = z.object({
  /** lung | mediastinal | <width>,<level>; absent = the slice's stored default window. */
  window: z.string().max(40).optional(),
  size: z.enum(['full', 'thumb']).default('full'),
});
export type ImageQuery = z.infer<typeof imageQuerySchema>;

export interface StoredSlice {
  pixelPath: string;
  contentHash: string;
  windowWidth: number;
  windowLevel: number;
}

/** The window to render with: the query's, else the one stored with the slice. Throws RangeError on bad text. */
export function resolveWindow(slice: Pick<StoredSlice, 'windowWidth' | 'windowLevel'> & { pixelKind: PixelKind }, text: string | undefined): Window {
  if (!text) return { width: slice.windowWidth, level: slice.windowLevel };
  // A named preset is an HU window: on display values it would paint the slice white or black.
  if (slice.pixelKind !== 'HU' && text.trim().toLowerCase() in WINDOW_PRESETS) {
    throw new RangeError(`The ${text.trim().toLowerCase()} window is in HU, and this slice stores 8-bit display values: use <width>,<level> (256,128 shows it as stored)`);
  }
  return parseWindow(text);
}

/**
 * A strong ETag: the pixels (content hash), the window and the size fully determine the PNG bytes, so the
 * tag can be computed before any rendering and a 304 costs no decode.
 */
export function sliceImageEtag(slice: StoredSlice, win: Window, size: ImageQuery['size']): string {
  const key = `${slice.contentHash}|${win.width}|${win.level}|${size}|v1`;
  return `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
}

/** Renders the stored pixels through the window as an 8-bit grey PNG (downscaled for thumbnails). */
export async function renderSlicePng(slice: StoredSlice, win: Window, size: ImageQuery['size'], root?: string): Promise<Buffer> {
  const img = await readPixels(slice.pixelPath, root);
  const grey = applyWindow(img.pixels, win);
  let pipeline = sharp(Buffer.from(grey.buffer, grey.byteOffset, grey.byteLength), {
    raw: { width: img.width, height: img.height, channels: 1 },
  });
  if (size === 'thumb') pipeline = pipeline.resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true });
  return pipeline.toColourspace('b-w').png({ compressionLevel: 6 }).toBuffer();
}
