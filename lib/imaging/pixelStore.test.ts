import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash, dataDir, deletePixels, type PixelImage, pixelPathFor, readPixels, writePixels } from './pixelStore';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-pixels-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const hu = (): PixelImage => ({ kind: 'HU', width: 3, height: 2, pixels: Int16Array.from([-1024, -600, 0, 40, 1000, 32767]) });
const grey = (): PixelImage => ({ kind: 'WINDOWED', width: 3, height: 2, pixels: Uint8Array.from([0, 1, 2, 3, 254, 255]) });

describe('contentHash', () => {
  it('depends on kind, size and every pixel', () => {
    const base = contentHash(hu());
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(hu())).toBe(base);
    const changed = hu();
    changed.pixels[5] = 32766;
    expect(contentHash(changed)).not.toBe(base);
    expect(contentHash({ ...hu(), width: 2, height: 3 })).not.toBe(base);
    expect(contentHash(grey())).not.toBe(base);
  });

  it('rejects a pixel count that does not match the size, or the wrong array type', () => {
    expect(() => contentHash({ kind: 'HU', width: 2, height: 2, pixels: new Int16Array(3) })).toThrow(/pixel count/);
    expect(() => contentHash({ kind: 'HU', width: 1, height: 1, pixels: new Uint8Array(1) } as never)).toThrow(/Int16Array/);
  });
});

describe('writePixels / readPixels', () => {
  it('round-trips HU and windowed images through gzip files under a content-addressed path', async () => {
    for (const img of [hu(), grey()]) {
      const stored = await writePixels(img, root);
      expect(stored.created).toBe(true);
      expect(stored.path).toBe(pixelPathFor(contentHash(img), img.kind, img.width, img.height));
      const back = await readPixels(stored.path, root, { verifyHash: true });
      expect(back.kind).toBe(img.kind);
      expect([back.width, back.height]).toEqual([img.width, img.height]);
      expect(Array.from(back.pixels)).toEqual(Array.from(img.pixels));
    }
  });

  it('stores raw little-endian samples, gzip-compressed', async () => {
    const stored = await writePixels(hu(), root);
    const raw = zlib.gunzipSync(await fs.readFile(path.join(root, stored.path)));
    expect(raw.length).toBe(12);
    expect(raw.readInt16LE(0)).toBe(-1024);
    expect(raw.readInt16LE(10)).toBe(32767);
  });

  it('writes an identical image once and leaves no temp files', async () => {
    const a = await writePixels(hu(), root);
    const b = await writePixels(hu(), root);
    expect(b).toEqual({ ...a, created: false });
    const dir = path.dirname(path.join(root, a.path));
    expect(await fs.readdir(dir)).toEqual([path.basename(a.path)]);
  });

  it('handles images whose pixels are a view into a larger buffer', async () => {
    const big = new Int16Array(10).map((_, i) => i * 100 - 500);
    const view: PixelImage = { kind: 'HU', width: 2, height: 2, pixels: big.subarray(3, 7) };
    const back = await readPixels((await writePixels(view, root)).path, root);
    expect(Array.from(back.pixels)).toEqual([-200, -100, 0, 100]);
  });

  it('detects a file whose size or content does not match its name', async () => {
    const stored = await writePixels(grey(), root);
    const abs = path.join(root, stored.path);
    await fs.writeFile(abs, zlib.gzipSync(Buffer.from([9, 9, 9, 9, 9, 9])));
    await expect(readPixels(stored.path, root, { verifyHash: true })).rejects.toThrow(/does not match its hash/);
    await fs.writeFile(abs, zlib.gzipSync(Buffer.from([1, 2])));
    await expect(readPixels(stored.path, root)).rejects.toThrow(/holds 2 bytes, expected 6/);
    await expect(readPixels('pixels/xx/not-ours.png', root)).rejects.toThrow(/not a pixel-store file name/);
  });

  it('deletePixels removes a file and tolerates a missing one', async () => {
    const stored = await writePixels(grey(), root);
    await deletePixels(stored.path, root);
    await expect(fs.access(path.join(root, stored.path))).rejects.toThrow();
    await expect(deletePixels(stored.path, root)).resolves.toBeUndefined();
  });
});

describe('dataDir', () => {
  it('follows DATA_DIR and defaults to <repo>/data', () => {
    const saved = process.env.DATA_DIR;
    try {
      process.env.DATA_DIR = root;
      expect(dataDir()).toBe(root);
      delete process.env.DATA_DIR;
      expect(dataDir()).toBe(path.resolve(__dirname, '..', '..', 'data'));
    } finally {
      if (saved === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = saved;
    }
  });
});
