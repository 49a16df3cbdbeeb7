import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { niftiBytes, type NiftiDatatype } from '@/lib/testing/ctFixtures';
import { parseNiftiBytes, readNiftiFile } from './nifti';

// A 4×3×2 volume whose voxel (i, j, k) holds a value that encodes its position, so slicing errors show.
const [nx, ny, nz] = [4, 3, 2];
const value = (i: number, j: number, k: number) => -1000 + 100 * k + 10 * j + i;
const voxels = Array.from({ length: nx * ny * nz }, (_, p) => value(p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))));

describe('readNiftiFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-nifti-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['vol.nii', false],
    ['vol.nii.gz', true],
  ])('reads %s as axial slices in stored order with x = i, y = j', async (name, gzip) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, niftiBytes({ dims: [nx, ny, nz], datatype: 'int16', data: voxels, gzip }));
    const vol = await readNiftiFile(file);
    expect([vol.width, vol.height, vol.slices.length]).toEqual([nx, ny, nz]);
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) expect(vol.slices[k][j * nx + i]).toBe(value(i, j, k));
    }
    expect(vol.datatype).toBe('int16');
    expect(vol.pixdim).toEqual([expect.closeTo(0.7, 5), expect.closeTo(0.7, 5), 2.5]);
    expect(vol.scale).toEqual({ slope: 1, inter: 0 });
  });

  it.each<[NiftiDatatype, number, number]>([
    ['uint8', 1, -1024], // stored 0..255 + intercept
    ['int32', 1, 0],
    ['float32', 0.5, -1024],
  ])('converts %s with scl_slope %d / scl_inter %d to HU Int16', async (datatype, slope, inter) => {
    const data = datatype === 'uint8' ? [0, 1, 2, 200, 255, 17] : datatype === 'int32' ? [-40000, -1024, 0, 40, 1e6, 7] : [0, 1.2, 2.9, -3, 4000, 2048.5];
    const vol = await parseNiftiBytes(niftiBytes({ dims: [3, 2, 1], datatype, data, sclSlope: slope, sclInter: inter }), `v.${datatype}.nii`);
    const expected = data.map((x) => Math.max(-32768, Math.min(32767, Math.round(x * slope + inter))));
    expect(Array.from(vol.slices[0])).toEqual(expected);
    expect(vol.scale).toEqual({ slope, inter });
  });

  it('ignores scl_inter when scl_slope is 0 (scaling off) and reads big-endian files', async () => {
    const vol = await parseNiftiBytes(niftiBytes({ dims: [2, 1, 1], datatype: 'int16', data: [-5, 300], sclSlope: 0, sclInter: 99, bigEndian: true }), 'be.nii');
    expect(Array.from(vol.slices[0])).toEqual([-5, 300]);
  });

  it('turns non-finite float voxels into air', async () => {
    const vol = await parseNiftiBytes(niftiBytes({ dims: [3, 1, 1], datatype: 'float32', data: [NaN, Infinity, 12] }), 'nan.nii');
    expect(Array.from(vol.slices[0])).toEqual([-1024, -1024, 12]);
  });

  it('refuses truncated, corrupt, non-NIfTI, 4-D and unsupported-type files naming the file', async () => {
    const good = niftiBytes({ dims: [nx, ny, nz], datatype: 'int16', data: voxels });
    await expect(parseNiftiBytes(good.subarray(0, good.length - 10), 'cut.nii')).rejects.toThrow(/^cut\.nii: truncated NIfTI: 390 bytes, the header promises 400/);
    const gz = niftiBytes({ dims: [nx, ny, nz], datatype: 'int16', data: voxels, gzip: true });
    await expect(parseNiftiBytes(gz.subarray(0, gz.length - 20), 'cut.nii.gz')).rejects.toThrow(/^cut\.nii\.gz: corrupt or truncated gzip data/);
    await expect(parseNiftiBytes(Buffer.alloc(400, 7), 'junk.nii')).rejects.toThrow(/^junk\.nii: not a NIfTI file/);
    const fourD = niftiBytes({ dims: [2, 2, 1, 3], datatype: 'int16', data: new Array(12).fill(0) });
    await expect(parseNiftiBytes(fourD, '4d.nii')).rejects.toThrow(/^4d\.nii: 4-D volume .*only single 3-D volumes/);
    const f64 = niftiBytes({ dims: [2, 1, 1], datatype: 'float64', data: [1, 2] });
    expect(Array.from((await parseNiftiBytes(f64, 'f64.nii')).slices[0])).toEqual([1, 2]);
    const rgb = Buffer.from(good);
    rgb.writeInt16LE(128, 70); // datatype RGB24
    rgb.writeInt16LE(24, 72);
    await expect(parseNiftiBytes(rgb, 'rgb.nii')).rejects.toThrow(/^rgb\.nii: unsupported NIfTI datatype/);
    await expect(readNiftiFile(path.join(dir, 'nope.nii'))).rejects.toThrow(/^nope\.nii: cannot read file/);
  });
});
