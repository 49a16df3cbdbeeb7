/**
 * Safe extraction of an uploaded zip, streamed from disk to disk (yauzl), run by the worker's import job — never
 * in the web process. An upload is untrusted, so:
 *  - it must be a zip (local-file or end-of-central-directory signature), else a clear error;
 *  - every entry name must stay inside the target folder: absolute paths, drive letters, `..` segments and NUL
 *    bytes refuse the whole archive (a "zip slip" is an attack, not a file to skip);
 *  - before a byte is written, the central directory's declared sizes are held to the limits: entry count, size
 *    per entry, total size, and (for archives that unpack to more than `ratioFreeBytes`) the ratio of unpacked to
 *    packed size, which is what a decompression bomb cannot hide;
 *  - while inflating, the bytes actually produced are counted: an entry that inflates past its declared size (a
 *    bomb lying about its size) fails the archive, it is never silently cut; so does passing the total.
 * Memory stays at one stream buffer whatever the archive's size.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { DomainError } from '@/lib/errors';

/** A problem with the upload itself, worded for the person who sent it. */
export const uploadError = (message: string, code: 'invalid' | 'conflict' | 'too_large' = 'invalid') => new DomainError(code, message);

export interface UnzipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Unpacked ÷ packed size allowed for the whole archive once it unpacks to more than ratioFreeBytes. */
  maxRatio: number;
  ratioFreeBytes: number;
}

const MiB = 1024 * 1024;
// CT compresses 2–10×; label masks, mostly zeros, up to a few hundred. A bomb is ~1000× at gigabyte sizes.
export const DEFAULT_UNZIP_LIMITS: UnzipLimits = { maxEntries: 50_000, maxEntryBytes: 1024 * MiB, maxTotalBytes: 4096 * MiB, maxRatio: 200, ratioFreeBytes: 256 * MiB };

const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;

/** True when the bytes start like a zip archive (a file entry, or the record of an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * The relative path an entry is written to, or null for entries that carry no file (folders, macOS resource forks).
 * Throws for a name that would leave the target folder.
 */
export function safeEntryPath(name: string): string | null {
  const unified = name.replace(/\\/g, '/');
  if (unified.includes('\0') || unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) throw uploadError(`the zip contains an unsafe path "${name}": entries must be relative`);
  const parts = unified.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw uploadError(`the zip contains an unsafe path "${name}": ".." is not allowed`);
  if (unified.endsWith('/') || parts.length === 0 || parts[0] === '__MACOSX') return null;
  return parts.join('/');
}

export interface ExtractResult {
  files: number;
  bytes: number;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    // validateEntrySizes: yauzl fails an entry whose inflated size differs from the declared one.
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true, strictFileNames: false }, (err, zip) =>
      err || !zip ? reject(uploadError(`not a readable zip archive (${err?.message ?? 'no entries'})`)) : resolve(zip),
    ),
  );
}

/** Every entry of the central directory, read without inflating anything. */
function readDirectory(zip: yauzl.ZipFile, maxEntries: number): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      if (entries.length > maxEntries) reject(uploadError(`the zip holds more than ${maxEntries} files; split it into smaller uploads`));
      else zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (err: Error) => {
      // yauzl refuses escaping names itself while reading the directory.
      const unsafe = /^(?:invalid relative path|absolute path|invalid characters in fileName): (.*)$/.exec(err.message);
      reject(uploadError(unsafe ? `the zip contains an unsafe path "${unsafe[1]}"` : `the zip is damaged (${err.message})`));
    });
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream))));
}

/**
 * Extracts the zip file `zipPath` into `destDir` (created), within `limits`; `onEntry(done, total)` after each file.
 * Throws a DomainError (invalid / too_large) for anything wrong with the zip; what was written is left for the
 * caller to remove with the folder.
 */
export async function extractZip(zipPath: string, destDir: string, limits: UnzipLimits = DEFAULT_UNZIP_LIMITS, onEntry?: (done: number, total: number) => void): Promise<ExtractResult> {
  const head = Buffer.alloc(4);
  const handle = await fs.open(zipPath, 'r');
  const { size: packed } = await handle.stat();
  await handle.read(head, 0, 4, 0).finally(() => handle.close());
  if (!looksLikeZip(head)) throw uploadError('the upload is not a zip archive: send a .zip of DICOM, NIfTI or PNG/JPEG files');
  const zip = await openZip(zipPath);
  try {
    const root = path.resolve(destDir);
    const wanted: { entry: yauzl.Entry; target: string }[] = [];
    let declared = 0;
    for (const entry of await readDirectory(zip, limits.maxEntries)) {
      const rel = safeEntryPath(entry.fileName);
      if (rel === null) continue;
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw uploadError(`"${entry.fileName}" uses an unsupported compression method (${entry.compressionMethod}); re-create the zip with standard deflate`);
      if (entry.isEncrypted()) throw uploadError(`"${entry.fileName}" is encrypted; upload an unencrypted zip`);
      if (entry.uncompressedSize > limits.maxEntryBytes) throw uploadError(`"${entry.fileName}" is ${mib(entry.uncompressedSize)} unpacked; the limit per file is ${mib(limits.maxEntryBytes)}`, 'too_large');
      // Not a path the bundler should trace: it names a file of the upload, checked just below.
      const target = path.join(/*turbopackIgnore: true*/ root, rel);
      if (!target.startsWith(root + path.sep)) throw uploadError(`the zip contains an unsafe path "${entry.fileName}"`);
      declared += entry.uncompressedSize;
      wanted.push({ entry, target });
    }
    if (declared > limits.maxTotalBytes) throw uploadError(`the zip unpacks to ${mib(declared)}; the limit is ${mib(limits.maxTotalBytes)}: split it into smaller uploads`, 'too_large');
    if (declared > limits.ratioFreeBytes && declared / Math.max(packed, 1) > limits.maxRatio) {
      throw uploadError(`the zip unpacks to ${mib(declared)} from ${mib(packed)} (${Math.round(declared / packed)}× its size): refused as a likely decompression bomb`, 'too_large');
    }

    await fs.mkdir(root, { recursive: true });
    let bytes = 0;
    for (const [k, { entry, target }] of wanted.entries()) {
      let written = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          written += chunk.length;
          bytes += chunk.length;
          if (written > entry.uncompressedSize || bytes > limits.maxTotalBytes) done(uploadError(`"${entry.fileName}" unpacks to more than it declares (${entry.uncompressedSize} bytes): refused as a decompression bomb`, 'too_large'));
          else done(null, chunk);
        },
      });
      try {
        await fs.mkdir(path.dirname(target), { recursive: true });
        await pipeline(await openEntry(zip, entry), count, createWriteStream(target));
      } catch (error) {
        if (error instanceof DomainError) throw error;
        const message = (error as Error).message;
        // yauzl's size validation: the entry inflated to more or fewer bytes than the directory says.
        if (/too many bytes|too few bytes|expected .* bytes/i.test(message)) throw uploadError(`"${entry.fileName}" unpacks to a different size than it declares: refused (${message})`, 'too_large');
        throw uploadError(`cannot unpack "${entry.fileName}": ${(error as NodeJS.ErrnoException).code ?? message}`);
      }
      onEntry?.(k + 1, wanted.length);
    }
    return { files: wanted.length, bytes };
  } finally {
    zip.close();
  }
}
