/**
 * 2-D slice images (PNG/JPEG and anything else libvips decodes), already windowed → 8-bit grey.
 *
 * Any input mode (L, LA, RGB, RGBA, palette, 16-bit) becomes one 8-bit grey channel: alpha is flattened onto
 * black (CT background), colour is reduced to luminance by libvips (grey content with R = G = B is unchanged),
 * 16-bit samples are scaled to 8 bits. EXIF orientation is NOT applied, so the pixels stay aligned with masks,
 * which are read raw.
 */
import fs from 'node:fs/promises';
import sharp from 'sharp';
import { asImportError, ImportError } from './importError';

export interface GreyImage {
  file: string;
  width: number;
  height: number;
  /** 8-bit grey, row-major. */
  pixels: Uint8Array;
  /** The decoder's format name (png, jpeg, …) and the source channel count, for import metadata. */
  format: string;
  channels: number;
}

export async function readGreyImage(file: string): Promise<GreyImage> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw asImportError(file, err, 'cannot read file');
  }
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw asImportError(file, err, 'not a readable image');
  }
  if ((meta.pages ?? 1) > 1) throw new ImportError(file, `multi-page image (${meta.pages} pages); export one slice per file`);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated' })
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`decoder produced ${info.channels} channels`);
    const pixels = new Uint8Array(data.length);
    pixels.set(data);
    return { file, width: info.width, height: info.height, pixels, format: meta.format ?? 'unknown', channels: meta.channels ?? 0 };
  } catch (err) {
    throw asImportError(file, err, 'corrupt or truncated image');
  }
}
