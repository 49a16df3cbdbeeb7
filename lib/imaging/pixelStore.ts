/**
 * Decoded slice pixels on local disk, content-addressed.
 *
 * Layout under the storage root (env DATA_DIR, default <repo>/data):
 *   pixels/<h0h1>/<sha256>.<width>x<height>.<i16|u8>.gz
 * holding the raw little-endian pixels (Int16 HU or Uint8 windowed grey), row-major, gzip-compressed.
 * The name carries size and sample type so `readPixels(path)` needs nothing else; the hash makes the same image
 * land on the same path, so re-imports and duplicate slices share one file.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import { dataDir } from '@/lib/paths';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** Same names as the Prisma enum PixelKind. */
export type PixelKind = 'HU' | 'WINDOWED';

export type PixelImage =
  | { kind: 'HU'; width: number; height: number; pixels: Int16Array }
  | { kind: 'WINDOWED'; width: number; height: number; pixels: Uint8Array };

const SUFFIX: Record<PixelKind, string> = { HU: 'i16', WINDOWED: 'u8' };

// Stored bytes are little-endian; copying typed-array memory as-is is only right on a little-endian host
// (every platform Node ships for today). Fail loudly rather than write byte-swapped files.
if (os.endianness() !== 'LE') throw new Error('pixelStore assumes a little-endian host');

/** The storage root: the project's data folder (DATA_DIR, else <repo>/data). */
export { dataDir } from '@/lib/paths';

function assertShape(img: PixelImage): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new RangeError(`pixel image size must be positive integers, got ${img.width}×${img.height}`);
  }
  if (img.pixels.length !== img.width * img.height) {
    throw new RangeError(`pixel count ${img.pixels.length} ≠ ${img.width}×${img.height}`);
  }
  if (img.kind === 'HU' ? !(img.pixels instanceof Int16Array) : !(img.pixels instanceof Uint8Array)) {
    throw new TypeError(`${img.kind} pixels must be ${img.kind === 'HU' ? 'Int16Array' : 'Uint8Array'}`);
  }
}

function pixelBytes(img: PixelImage): Buffer {
  return Buffer.from(img.pixels.buffer, img.pixels.byteOffset, img.pixels.byteLength);
}

/** SHA-256 (hex) of kind, width, height and the pixel bytes: equal images, equal hashes. */
export function contentHash(img: PixelImage): string {
  assertShape(img);
  const header = Buffer.alloc(12);
  header.write(SUFFIX[img.kind].padEnd(4, '\0'), 0, 'latin1');
  header.writeUInt32LE(img.width, 4);
  header.writeUInt32LE(img.height, 8);
  return createHash('sha256').update(header).update(pixelBytes(img)).digest('hex');
}

/** The storage path (relative to the root, forward slashes) of an image with this hash. */
export function pixelPathFor(hash: string, kind: PixelKind, width: number, height: number): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new RangeError(`not a SHA-256 hex digest: ${hash}`);
  return `pixels/${hash.slice(0, 2)}/${hash}.${width}x${height}.${SUFFIX[kind]}.gz`;
}

export interface StoredPixels {
  /** Relative to the storage root; what Slice.pixelPath holds. */
  path: string;
  contentHash: string;
  /** False when an identical file was already there (then nothing was written). */
  created: boolean;
}

/**
 * Writes the image atomically (temp file in the same folder, then rename) unless an identical one is already stored.
 */
export async function writePixels(img: PixelImage, root: string = dataDir()): Promise<StoredPixels> {
  const hash = contentHash(img);
  const rel = pixelPathFor(hash, img.kind, img.width, img.height);
  const abs = path.join(root, rel);
  if (await fileExists(abs)) return { path: rel, contentHash: hash, created: false };
  const dir = path.dirname(abs);
  if (!madeDirs.has(dir)) {
    await fs.mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const tmp = `${abs}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await fs.writeFile(tmp, await gzip(pixelBytes(img)));
    await fs.rename(tmp, abs);
  } catch (err) {
    madeDirs.delete(dir); // the folder may have been removed under us: recreate it next time
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return { path: rel, contentHash: hash, created: true };
}

/** Folders already created by this process (saves a mkdir per write on bulk imports). */
const madeDirs = new Set<string>();

const NAME = /^([0-9a-f]{64})\.(\d+)x(\d+)\.(i16|u8)\.gz$/;

/** Reads an image written by writePixels; `relPath` is relative to `root`. Checks size and, optionally, the hash. */
export async function readPixels(
  relPath: string,
  root: string = dataDir(),
  options: { verifyHash?: boolean } = {},
): Promise<PixelImage> {
  const m = NAME.exec(path.basename(relPath));
  if (!m) throw new RangeError(`not a pixel-store file name: ${relPath}`);
  const [, hash, w, h, suffix] = m;
  const width = Number(w);
  const height = Number(h);
  const raw = await gunzip(await fs.readFile(path.join(root, relPath)));
  const bytesPer = suffix === 'i16' ? 2 : 1;
  if (raw.length !== width * height * bytesPer) {
    throw new RangeError(`${relPath}: holds ${raw.length} bytes, expected ${width * height * bytesPer}`);
  }
  // Copy into a fresh, aligned buffer: Buffers from gunzip may share a pool at an odd offset.
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  const img: PixelImage =
    suffix === 'i16'
      ? { kind: 'HU', width, height, pixels: new Int16Array(copy.buffer) }
      : { kind: 'WINDOWED', width, height, pixels: copy };
  if (options.verifyHash && contentHash(img) !== hash) throw new Error(`${relPath}: content does not match its hash`);
  return img;
}

/** Removes a stored file (no error if it is already gone). */
export async function deletePixels(relPath: string, root: string = dataDir()): Promise<void> {
  await fs.rm(path.join(root, relPath), { force: true });
}

async function fileExists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
