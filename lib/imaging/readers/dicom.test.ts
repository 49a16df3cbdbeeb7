import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomBytes, type DicomFixture } from '@/lib/testing/ctFixtures';
import { orderSeries, parseDicomBytes, readDicomFile, TRANSFER_SYNTAX } from './dicom';
import { ImportError } from './importError';

const base = (over: Partial<DicomFixture> = {}): DicomFixture => ({
  rows: 2,
  cols: 3,
  stored: Int16Array.from([0, 24, 1024, 2048, 3000, -1000]),
  slope: 1,
  intercept: -1024,
  ...over,
});

describe('parseDicomBytes', () => {
  it('applies RescaleSlope/Intercept to signed pixels and reads geometry, ids and window', () => {
    const s = parseDicomBytes(
      dicomBytes(base({ position: [-100, -120, 37.5], orientation: [1, 0, 0, 0, 1, 0], instanceNumber: 4, window: { width: 1500, level: -600 } })),
      'a.dcm',
    );
    expect([s.width, s.height]).toEqual([3, 2]);
    expect(Array.from(s.hu)).toEqual([-1024, -1000, 0, 1024, 1976, -2024]);
    expect(s.imagePosition).toEqual([-100, -120, 37.5]);
    expect(s.imageOrientation).toEqual([1, 0, 0, 0, 1, 0]);
    expect(s.instanceNumber).toBe(4);
    expect(s.seriesInstanceUid).toBe('2.25.2000');
    expect(s.patientId).toBe('TEST-1');
    expect(s.window).toEqual({ width: 1500, level: -600 });
    expect(s.rescale).toEqual({ slope: 1, intercept: -1024 });
  });

  it('reads unsigned pixels, a fractional slope (rounded) and clamps to Int16', () => {
    const s = parseDicomBytes(dicomBytes(base({ stored: Uint16Array.from([0, 1, 3, 40000, 65535, 2]), slope: 2.5, intercept: -1024 })), 'u.dcm');
    expect(Array.from(s.hu)).toEqual([-1024, Math.round(-1021.5), Math.round(-1016.5), 32767, 32767, -1019]);
  });

  it('honours BitsStored: high bits are ignored and the sign comes from bit BitsStored−1', () => {
    // 12-bit signed: 0x0FFF = −1, 0x0800 = −2048; 0xF005 has junk in the top nibble → 5.
    const stored = new Uint16Array([0x0fff, 0x0800, 0xf005, 0x07ff, 0, 1]);
    const s = parseDicomBytes(dicomBytes(base({ stored: new Int16Array(stored.buffer), bitsStored: 12, intercept: 0 })), 'b.dcm');
    expect(Array.from(s.hu)).toEqual([-1, -2048, 5, 2047, 0, 1]);
  });

  it.each([
    ['implicit VR little endian', TRANSFER_SYNTAX.implicitLittle],
    ['explicit VR big endian', TRANSFER_SYNTAX.explicitBig],
    ['deflated explicit VR little endian', TRANSFER_SYNTAX.deflatedExplicitLittle],
  ])('decodes %s', (_name, ts) => {
    const s = parseDicomBytes(dicomBytes(base({ transferSyntax: ts })), 'ts.dcm');
    expect(s.transferSyntaxUid).toBe(ts);
    expect(Array.from(s.hu)).toEqual([-1024, -1000, 0, 1024, 1976, -2024]);
  });

  it('refuses compressed transfer syntaxes naming the UID and the file', () => {
    const bytes = dicomBytes(base({ transferSyntax: '1.2.840.10008.1.2.4.50' }));
    expect(() => parseDicomBytes(bytes, '/x/jpeg.dcm')).toThrow(ImportError);
    expect(() => parseDicomBytes(bytes, '/x/jpeg.dcm')).toThrow(/^jpeg\.dcm: unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.50/);
  });

  it('refuses non-DICOM bytes, truncated files and truncated pixel data with the file name', () => {
    expect(() => parseDicomBytes(Buffer.from('hello, not dicom'), 'notes.dcm')).toThrow(/^notes\.dcm: not a DICOM file/);
    const good = dicomBytes(base({ rows: 16, cols: 16, stored: new Int16Array(256) }));
    expect(() => parseDicomBytes(good.subarray(0, 200), 'cut.dcm')).toThrow(/^cut\.dcm: corrupt or truncated DICOM/);
    expect(() => parseDicomBytes(good.subarray(0, good.length - 100), 'cutpx.dcm')).toThrow(/^cutpx\.dcm: corrupt or truncated DICOM/);
    // Well-formed file whose pixel data is shorter than Rows × Columns says.
    const short = dicomBytes(base({ rows: 16, cols: 16, stored: new Int16Array(200) }));
    expect(() => parseDicomBytes(short, 'short.dcm')).toThrow(/^short\.dcm: truncated pixel data: 400 bytes for 16×16×2/);
  });

  it('refuses colour images', () => {
    const rgb = dicomBytes(base());
    // Flip SamplesPerPixel (0028,0002) US from 1 to 3 in place: find the explicit-VR element bytes.
    const tag = Buffer.from([0x28, 0x00, 0x02, 0x00, 0x55, 0x53, 0x02, 0x00, 0x01, 0x00]);
    const at = rgb.indexOf(tag);
    expect(at).toBeGreaterThan(0);
    rgb[at + 8] = 3;
    expect(() => parseDicomBytes(rgb, 'rgb.dcm')).toThrow(/SamplesPerPixel=3/);
  });
});

describe('readDicomFile + orderSeries on a shuffled series', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-dicom-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('orders by ImagePositionPatient, most cranial first, whatever the file names and InstanceNumbers', async () => {
    const zs = [-40, -37.5, -35, -32.5, -30];
    // Slice k holds HU 100·k everywhere, so the order can be checked from the pixels. File names and
    // InstanceNumbers are deliberately scrambled (they disagree with the positions).
    const names = ['e.dcm', 'a.dcm', 'd.dcm', 'b.dcm', 'c.dcm'];
    const instance = [2, 5, 1, 4, 3];
    for (let k = 0; k < zs.length; k++) {
      const stored = new Int16Array(6).fill(100 * k + 1024);
      await fs.writeFile(
        path.join(dir, names[k]),
        dicomBytes(base({ stored, position: [0, 0, zs[k]], orientation: [1, 0, 0, 0, 1, 0], instanceNumber: instance[k] })),
      );
    }
    const files = (await fs.readdir(dir)).sort();
    const slices = await Promise.all(files.map((f) => readDicomFile(path.join(dir, f))));
    const { ordered, by } = orderSeries(slices);
    expect(by).toBe('position');
    expect(ordered.map((s) => s.imagePosition![2])).toEqual([-30, -32.5, -35, -37.5, -40]);
    expect(ordered.map((s) => s.hu[0])).toEqual([400, 300, 200, 100, 0]);
  });

  it('falls back to InstanceNumber, then to the given order', () => {
    const a = { instanceNumber: 3, id: 'a' };
    const b = { instanceNumber: 1, id: 'b' };
    const c = { instanceNumber: 2, id: 'c' };
    expect(orderSeries([a, b, c]).ordered.map((s) => s.id)).toEqual(['b', 'c', 'a']);
    expect(orderSeries([a, b, c]).by).toBe('instanceNumber');
    const noKey = [{ id: 'x' }, { id: 'y', instanceNumber: 1 }] as { id: string; instanceNumber?: number }[];
    expect(orderSeries(noKey)).toEqual({ ordered: noKey, by: 'file' });
  });

  it('orders a feet-first (normal pointing down) series most cranial first too', () => {
    const o: [number, number, number, number, number, number] = [1, 0, 0, 0, -1, 0]; // row × col = (0,0,−1)
    const s = [10, 30, 20].map((z) => ({ imagePosition: [0, 0, z] as [number, number, number], imageOrientation: o }));
    expect(orderSeries(s).ordered.map((x) => x.imagePosition[2])).toEqual([30, 20, 10]);
  });

  it('names the file when it cannot be read', async () => {
    await expect(readDicomFile(path.join(dir, 'missing.dcm'))).rejects.toThrow(/^missing\.dcm: cannot read file/);
  });
});
