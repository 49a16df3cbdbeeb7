import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greyPng, palettePng } from '@/lib/testing/ctFixtures';
import { readLabelMask } from './mask';

describe('readLabelMask', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-mask-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, bytes);
    return file;
  };

  it('reads palette INDICES (not colours) as 0/1/2 classes', async () => {
    const labels = Uint8Array.from([0, 1, 2, 2, 1, 0]);
    const m = await readLabelMask(await write('pal.png', palettePng(3, 2, labels)));
    expect(m).toMatchObject({ width: 3, height: 2, mode: 'classes' });
    expect(Array.from(m.labels)).toEqual([0, 1, 2, 2, 1, 0]);
    // 2-bit palette PNG: rows packed 4 samples a byte (00 01 10 | 10 01 00).
    const packed = encode({ width: 3, height: 2, data: Uint8Array.from([0b00011000, 0b10010000]), channels: 1, depth: 2, palette: [[0, 0, 0], [9, 9, 9], [5, 5, 5]] });
    const m2 = await readLabelMask(await write('pal2.png', packed));
    expect([m2.mode, ...m2.labels]).toEqual(['classes', 0, 1, 2, 2, 1, 0]);
  });

  it('refuses palette indices beyond 2', async () => {
    const png = encode({ width: 2, height: 1, data: Uint8Array.from([0, 3]), channels: 1, depth: 8, palette: [[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]] });
    await expect(readLabelMask(await write('idx3.png', png))).rejects.toThrow(/^idx3\.png: palette index 3 at pixel \(1, 0\)/);
  });

  it('reads binary 0/255 grey, 1-bit and grey RGBA masks as a merged lesion', async () => {
    const bin = Uint8Array.from([0, 255, 255, 0]);
    const a = await readLabelMask(await write('bin.png', greyPng(2, 2, bin)));
    expect(a.mode).toBe('merged');
    expect(Array.from(a.labels)).toEqual([0, 1, 1, 0]);
    const oneBit = await readLabelMask(await write('1bit.png', encode({ width: 2, height: 2, data: Uint8Array.from([0b01000000, 0b10000000]), channels: 1, depth: 1 })));
    expect([oneBit.mode, ...oneBit.labels]).toEqual(['merged', 0, 1, 1, 0]);
    const rgba = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 255, 200, 200, 200, 255, 10, 10, 10, 255]);
    const c = await readLabelMask(await write('rgba.png', encode({ width: 2, height: 2, data: rgba, channels: 4, depth: 8 })));
    expect([c.mode, ...c.labels]).toEqual(['merged', 0, 1, 1, 0]);
  });

  it('reads grey masks holding label values 1..2 as classes, an empty grey mask as merged', async () => {
    const g = await readLabelMask(await write('greyidx.png', greyPng(3, 1, Uint8Array.from([0, 1, 2]))));
    expect([g.mode, ...g.labels]).toEqual(['classes', 0, 1, 2]);
    const e = await readLabelMask(await write('empty.png', greyPng(2, 1, new Uint8Array(2))));
    expect([e.mode, ...e.labels]).toEqual(['merged', 0, 0]);
  });

  it('refuses colour masks and non-PNG files naming the file', async () => {
    const rgb = encode({ width: 1, height: 1, data: Uint8Array.from([255, 0, 0]), channels: 3, depth: 8 });
    await expect(readLabelMask(await write('red.png', rgb))).rejects.toThrow(/^red\.png: colour mask/);
    await expect(readLabelMask(await write('m.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2])))).rejects.toThrow(/^m\.jpg: not a readable PNG mask/);
  });
});
