import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { writePixels } from '@/lib/imaging/pixelStore';
import { renderSlicePng, resolveWindow, sliceImageEtag, THUMBNAIL_SIZE, type StoredSlice } from './image';

const root = mkdtempSync(path.join(os.tmpdir(), 'ctms-image-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A 300×200 HU ramp from −1000 (left) to +1000 (right). */
async function storedRamp(): Promise<StoredSlice & { pixelKind: 'HU' }> {
  const width = 300;
  const height = 200;
  const pixels = new Int16Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = Math.round(-1000 + (2000 * x) / (width - 1));
  const stored = await writePixels({ kind: 'HU', width, height, pixels }, root);
  return { pixelPath: stored.path, contentHash: stored.contentHash, windowWidth: 1500, windowLevel: -600, pixelKind: 'HU' };
}

describe('slice image rendering', () => {
  it('uses the stored window unless the query names one', async () => {
    const slice = await storedRamp();
    expect(resolveWindow(slice, undefined)).toEqual({ width: 1500, level: -600 });
    expect(resolveWindow(slice, 'mediastinal')).toEqual({ width: 350, level: 50 });
    expect(resolveWindow(slice, '400,40')).toEqual({ width: 400, level: 40 });
    expect(() => resolveWindow(slice, 'bone-ish')).toThrow(/Invalid window/);
  });

  it('refuses the HU presets on a slice of 8-bit display values, where they would paint it white', () => {
    const display = { windowWidth: 256, windowLevel: 128, pixelKind: 'WINDOWED' as const };
    expect(() => resolveWindow(display, 'lung')).toThrow(/in HU.*8-bit display values/);
    expect(() => resolveWindow(display, ' Mediastinal')).toThrow(/in HU/);
    expect(resolveWindow(display, '128,96')).toEqual({ width: 128, level: 96 });
    expect(resolveWindow(display, undefined)).toEqual({ width: 256, level: 128 });
  });

  it('gives a different ETag for each window, size and content, and the same for the same request', async () => {
    const slice = await storedRamp();
    const lung = resolveWindow(slice, 'lung');
    const tag = sliceImageEtag(slice, lung, 'full');
    expect(tag).toBe(sliceImageEtag({ ...slice }, { ...lung }, 'full'));
    expect(tag).toMatch(/^"[\w-]+"$/);
    expect(sliceImageEtag(slice, resolveWindow(slice, 'mediastinal'), 'full')).not.toBe(tag);
    expect(sliceImageEtag(slice, lung, 'thumb')).not.toBe(tag);
    expect(sliceImageEtag({ ...slice, contentHash: 'f'.repeat(64) }, lung, 'full')).not.toBe(tag);
  });

  it('renders the HU through the window into a grey PNG of the slice size, and a bounded thumbnail', async () => {
    const slice = await storedRamp();
    const png = await renderSlicePng(slice, { width: 350, level: 50 }, 'full', root);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 300, 200, 1]);
    const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    // Mediastinal window: −1000 HU is black, +1000 HU white, 50 HU (x ≈ 157) mid-grey.
    expect(data[0]).toBe(0);
    expect(data[299]).toBe(255);
    const x50 = Math.round(((50 + 1000) / 2000) * 299);
    expect(Math.abs(data[x50] - 128)).toBeLessThanOrEqual(3);

    const thumb = await sharp(await renderSlicePng(slice, { width: 350, level: 50 }, 'thumb', root)).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBe(THUMBNAIL_SIZE);
  });
});
