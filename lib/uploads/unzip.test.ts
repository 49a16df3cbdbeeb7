import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { DEFAULT_UNZIP_LIMITS, extractZip as extractFile, looksLikeZip, safeEntryPath, type UnzipLimits } from './unzip';

const work = mkdtempSync(path.join(tmpdir(), 'ctms-unzip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const dest = () => path.join(work, `out-${++n}`);
/** Extracts zip bytes through a file, as the import job does. */
const extractZip = (zip: Uint8Array, out: string, limits?: UnzipLimits) => {
  const file = path.join(work, `in-${++n}.zip`);
  writeFileSync(file, zip);
  return extractFile(file, out, limits);
};

/** A zip whose entry names are written verbatim (fflate's zipSync takes names as given). */
const zipOf = (entries: Record<string, string>, level: 0 | 6 = 6) => zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, strToU8(v)])), { level });

describe('safeEntryPath', () => {
  it('normalises relative names and skips folders and macOS resource forks', () => {
    expect(safeEntryPath('a/./b\\c.png')).toBe('a/b/c.png');
    expect(safeEntryPath('images/')).toBeNull();
    expect(safeEntryPath('__MACOSX/images/._1.png')).toBeNull();
  });

  it.each(['../evil.sh', 'a/../../evil', '/etc/passwd', 'C:\\Windows\\x', 'a\\..\\..\\x', 'nul\0byte'])('refuses %j', (name) => {
    expect(() => safeEntryPath(name)).toThrow(expect.objectContaining({ code: 'invalid' }));
  });
});

describe('extractZip', () => {
  it('writes every file under the target folder, stored or deflated', async () => {
    for (const level of [0, 6] as const) {
      const out = dest();
      const result = await extractZip(zipOf({ 'images/1.png': 'one', 'masks/1.png': 'mask', 'labels.csv': 'file,class\n' }, level), out);
      expect(result).toEqual({ files: 3, bytes: 'one'.length + 'mask'.length + 'file,class\n'.length });
      expect(readFileSync(path.join(out, 'masks/1.png'), 'utf8')).toBe('mask');
      expect(readdirSync(out).sort()).toEqual(['images', 'labels.csv', 'masks']);
    }
  });

  it('refuses a zip-slip entry before writing anything', async () => {
    const out = dest();
    await expect(extractZip(zipOf({ 'ok.png': 'x', '../../escaped.txt': 'pwned' }), out)).rejects.toThrow(/unsafe path "..\/..\/escaped.txt"/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(path.join(work, 'escaped.txt'))).toBe(false);
  });

  it('says plainly when the upload is not a zip or is damaged', async () => {
    expect(looksLikeZip(strToU8('{"json":true}'))).toBe(false);
    await expect(extractZip(strToU8('{"json":true}'), dest())).rejects.toThrow(/not a zip archive/);
    const truncated = zipOf({ 'a.txt': 'hello world' }).slice(0, 30);
    await expect(extractZip(truncated, dest())).rejects.toThrow(expect.objectContaining({ code: 'invalid' }));
  });

  it('enforces the file count, per-file and total size limits from the declared sizes', async () => {
    const zip = zipOf({ 'a.bin': 'x'.repeat(1000), 'b.bin': 'y'.repeat(1000), 'c.bin': 'z' });
    await expect(extractZip(zip, dest(), { ...DEFAULT_UNZIP_LIMITS, maxEntries: 2 })).rejects.toThrow(/more than 2 files/);
    await expect(extractZip(zip, dest(), { ...DEFAULT_UNZIP_LIMITS, maxEntryBytes: 999 })).rejects.toThrow(/"a.bin" is .* unpacked/);
    await expect(extractZip(zip, dest(), { ...DEFAULT_UNZIP_LIMITS, maxTotalBytes: 1500 })).rejects.toThrow(/unpacks to/);
    const out = dest();
    expect((await extractZip(zip, out)).files).toBe(3);
    expect(readFileSync(path.join(out, 'b.bin'), 'utf8')).toBe('y'.repeat(1000));
  });

  it('refuses a highly compressed archive past the ratio-free size before writing a byte (a decompression bomb)', async () => {
    const zip = zipOf({ 'zeros.bin': '0'.repeat(2_000_000) });
    const out = dest();
    await expect(extractZip(zip, out, { ...DEFAULT_UNZIP_LIMITS, ratioFreeBytes: 1_000_000 })).rejects.toMatchObject({ code: 'too_large', message: expect.stringMatching(/decompression bomb/) });
    expect(existsSync(out)).toBe(false);
    expect((await extractZip(zip, dest())).bytes).toBe(2_000_000); // below the ratio-free size it is just a file
  });

  it('refuses an entry that inflates past its declared size (a zip bomb lying about its size), never cutting it silently', async () => {
    const zip = zipOf({ 'bomb.bin': '0'.repeat(100_000) });
    // Patch the central directory's uncompressed size (offset 24 in its header) down to 10 bytes.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let cd = zip.length - 22;
    while (view.getUint32(cd, true) !== 0x02014b50) cd--;
    view.setUint32(cd + 24, 10, true);
    await expect(extractZip(zip, dest())).rejects.toMatchObject({ code: 'too_large', message: expect.stringMatching(/bomb\.bin/) });
  });
});
