/**
 * Safe extraction of an uploaded zip (fflate, pure JS). An upload is untrusted, so before anything is written:
 *  - it must be a zip (local-file or end-of-central-directory signature), else a clear UploadError;
 *  - every entry name must stay inside the target folder: absolute paths, drive letters, `..` segments and NUL
 *    bytes refuse the whole archive (a "zip slip" is an attack, not a file to skip);
 *  - entry count, each entry's size and the total size are capped using the sizes the central directory declares,
 *    and fflate inflates into a buffer of exactly the declared size, so an entry that inflates to more (a zip bomb
 *    lying about its size) is cut off there instead of exhausting memory.
 * Entries are inflated in batches of bounded total size and written out, so memory stays near one batch.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { DomainError } from '@/lib/errors';

/** A problem with the upload itself, worded for the person who sent it. */
export const uploadError = (message: string, code: 'invalid' | 'conflict' | 'too_large' = 'invalid') => new DomainError(code, message);

export interface UnzipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Inflate at most this many (declared) bytes at once. */
  batchBytes: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_UNZIP_LIMITS: UnzipLimits = { maxEntries: 50_000, maxEntryBytes: 1024 * MiB, maxTotalBytes: 4096 * MiB, batchBytes: 256 * MiB };

const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;

/** True when the bytes start like a zip archive (a file entry, or the record of an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * The relative path an entry is written to, or null for entries that carry no file (folders, macOS resource forks).
 * Throws UploadError for a name that would leave the target folder.
 */
export function safeEntryPath(name: string): string | null {
  const unified = name.replace(/\\/g, '/');
  if (unified.includes('\0') || unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) throw uploadError(`the zip contains an unsafe path "${name}": entries must be relative`);
  const parts = unified.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw uploadError(`the zip contains an unsafe path "${name}": ".." is not allowed`);
  if (unified.endsWith('/') || parts.length === 0 || parts[0] === '__MACOSX') return null;
  return parts.join('/');
}

function readDirectory(zip: Uint8Array): UnzipFileInfo[] {
  const entries: UnzipFileInfo[] = [];
  try {
    unzipSync(zip, { filter: (info) => (entries.push(info), false) });
  } catch (error) {
    throw uploadError(`not a readable zip archive (${(error as Error).message})`);
  }
  return entries;
}

export interface ExtractResult {
  files: number;
  bytes: number;
}

/** Extracts `zip` into `destDir` (created), within `limits`. Throws UploadError for anything wrong with the zip. */
export async function extractZip(zip: Uint8Array, destDir: string, limits: UnzipLimits = DEFAULT_UNZIP_LIMITS): Promise<ExtractResult> {
  if (!looksLikeZip(zip)) throw uploadError('the upload is not a zip archive: send a .zip of DICOM, NIfTI or PNG/JPEG files');
  const root = path.resolve(destDir);
  const wanted = new Map<string, { target: string; size: number }>();
  let total = 0;
  for (const info of readDirectory(zip)) {
    const rel = safeEntryPath(info.name);
    if (rel === null) continue;
    if (info.compression !== 0 && info.compression !== 8) throw uploadError(`"${info.name}" uses an unsupported compression method (${info.compression}); re-create the zip with standard deflate`);
    if (info.originalSize > limits.maxEntryBytes) throw uploadError(`"${info.name}" is ${mib(info.originalSize)} unpacked; the limit per file is ${mib(limits.maxEntryBytes)}`);
    // Not a path the bundler should trace: it names a file of the upload, checked just below.
    const target = path.join(/*turbopackIgnore: true*/ root, rel);
    if (!target.startsWith(root + path.sep)) throw uploadError(`the zip contains an unsafe path "${info.name}"`);
    if (!wanted.has(info.name)) total += info.originalSize;
    wanted.set(info.name, { target, size: info.originalSize });
    if (wanted.size > limits.maxEntries) throw uploadError(`the zip holds more than ${limits.maxEntries} files; split it into smaller uploads`);
  }
  if (total > limits.maxTotalBytes) throw uploadError(`the zip unpacks to ${mib(total)}; the limit is ${mib(limits.maxTotalBytes)}: split it into smaller uploads`);

  await fs.mkdir(root, { recursive: true });
  const names = [...wanted.keys()];
  let bytes = 0;
  for (let start = 0; start < names.length; ) {
    const batch = new Set<string>();
    let batchSize = 0;
    while (start < names.length && (batch.size === 0 || batchSize + wanted.get(names[start])!.size <= limits.batchBytes)) {
      batchSize += wanted.get(names[start])!.size;
      batch.add(names[start++]);
    }
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(zip, { filter: (info) => batch.has(info.name) });
    } catch (error) {
      throw uploadError(`the zip is damaged (${(error as Error).message})`);
    }
    for (const [name, data] of Object.entries(files)) {
      const { target } = wanted.get(name)!;
      try {
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(target, data);
      } catch (error) {
        // e.g. a file and a folder of the same name in one archive
        throw uploadError(`cannot unpack "${name}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      bytes += data.length;
    }
  }
  return { files: names.length, bytes };
}
