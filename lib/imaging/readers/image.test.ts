import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encode } from 'fast-png';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGreyImage } from './image';

const [w, h] = [4, 2];
const grey = Uint8Array.from([0, 10, 100, 255, 3, 7, 200, 128]);
const interleave = (channels: number, alpha?: number) => {
  const out = new Uint8Array(w * h * channels);
  grey.forEach((v, i) => out.set(channels === 4 ? [v, v, v, alpha ?? 255] : channels === 2 ? [v, alpha ?? 255] : [v, v, v], i * channels));
  return out;
};

describe('readGreyImage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-image-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, bytes);
    return file;
  };

  it.each([
    ['L', () => encode({ width: w, height: h, data: grey, channels: 1, depth: 8 })],
    ['LA', () => encode({ width: w, height: h, data: interleave(2), channels: 2, depth: 8 })],
    ['RGB', () => encode({ width: w, height: h, data: interleave(3), channels: 3, depth: 8 })],
    ['RGBA', () => encode({ width: w, height: h, data: interleave(4), channels: 4, depth: 8 })],
    ['16-bit L', () => encode({ width: w, height: h, data: Uint16Array.from(grey, (v) => v * 257), channels: 1, depth: 16 })],
    [
      'palette',
      () => {
        const palette = [...new Set(grey)].map((v) => [v, v, v]);
        const index = Uint8Array.from(grey, (v) => palette.findIndex((p) => p[0] === v));
        return encode({ width: w, height: h, data: index, channels: 1, depth: 8, palette });
      },
    ],
  ])('reads a %s PNG as the same 8-bit grey', async (mode, make) => {
    const img = await readGreyImage(await write(`${mode}.png`, make()));
    expect([img.width, img.height, img.format]).toEqual([w, h, 'png']);
    expect(Array.from(img.pixels)).toEqual(Array.from(grey));
  });

  it('reads a JPEG within JPEG error', async () => {
    const jpg = await sharp(Buffer.from(interleave(3)), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 100 }).toBuffer();
    const img = await readGreyImage(await write('x.jpg', jpg));
    expect(img.format).toBe('jpeg');
    img.pixels.forEach((v, i) => expect(Math.abs(v - grey[i])).toBeLessThanOrEqual(2));
  });

  it('flattens transparency onto black', async () => {
    const img = await readGreyImage(await write('clear.png', encode({ width: w, height: h, data: interleave(4, 0), channels: 4, depth: 8 })));
    expect(Array.from(img.pixels)).toEqual(new Array(w * h).fill(0));
  });

  it('names the file for non-images and truncated images', async () => {
    await expect(readGreyImage(await write('notes.png', Buffer.from('not an image')))).rejects.toThrow(/^notes\.png: not a readable image/);
    const png = encode({ width: 64, height: 64, data: new Uint8Array(64 * 64).map((_, i) => i * 7), channels: 1, depth: 8 });
    await expect(readGreyImage(await write('cut.png', png.subarray(0, png.length - 40)))).rejects.toThrow(/^cut\.png: corrupt or truncated image/);
  });
});
