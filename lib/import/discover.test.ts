import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomBytes, greyPng } from '@/lib/testing/ctFixtures';
import { discoverInputs, indexMasks, kindByName, listImages } from './discover';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-discover-'));
  const put = async (rel: string, bytes: Uint8Array | string) => {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), bytes);
  };
  const png = greyPng(1, 1, new Uint8Array(1));
  await put('a/10.png', png);
  await put('a/2.png', png);
  await put('a/.hidden.png', png);
  await put('a/IM0001', dicomBytes({ rows: 1, cols: 1, stored: new Int16Array(1) })); // DICOM without extension
  await put('a/notes', 'plain text, no extension');
  await put('b/vol.nii.gz', 'x');
  await put('b/README.md', '# hi');
  await put('masks/2.png', png);
  await put('masks/vol.nii', 'x');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('discoverInputs', () => {
  it('finds DICOM (also by the DICM marker), NIfTI and images in natural order, skipping the rest', async () => {
    const d = await discoverInputs(dir, [path.join(dir, 'masks')]);
    expect(d.root).toBe(dir);
    expect(d.images).toEqual([path.join(dir, 'a', '2.png'), path.join(dir, 'a', '10.png')]);
    expect(d.dicom).toEqual([path.join(dir, 'a', 'IM0001')]);
    expect(d.nifti).toEqual([path.join(dir, 'b', 'vol.nii.gz')]);
    expect(d.skipped.map((s) => path.basename(s.file))).toEqual(['notes', 'README.md']);
  });

  it('refuses a single file that is not a CT input, and a missing path', async () => {
    await expect(discoverInputs(path.join(dir, 'b', 'README.md'))).rejects.toThrow(/^README\.md: not a CT input/);
    await expect(discoverInputs(path.join(dir, 'zzz'))).rejects.toThrow(/^zzz: no such file or folder/);
    const one = await discoverInputs(path.join(dir, 'a', '2.png'));
    expect([one.root, one.images]).toEqual([path.join(dir, 'a'), [path.join(dir, 'a', '2.png')]]);
  });

  it('kindByName knows the extensions', () => {
    expect(['x.DCM', 'v.nii', 'v.NII.GZ', 'i.jpeg', 'i.tif', 'r.csv', 'IM01'].map(kindByName)).toEqual(['dicom', 'nifti', 'nifti', 'image', 'image', 'other', undefined]);
  });
});

describe('indexMasks / listImages', () => {
  it('indexes PNG masks and NIfTI label volumes by stem', async () => {
    const m = await indexMasks(path.join(dir, 'masks'));
    expect([...m.png]).toEqual([['2', path.join(dir, 'masks', '2.png')]]);
    expect([...m.nifti]).toEqual([['vol', path.join(dir, 'masks', 'vol.nii')]]);
    await expect(indexMasks(path.join(dir, 'nomasks'))).rejects.toThrow(/masks folder not found/);
  });

  it('lists the images directly in a folder, natural order, no hidden files', async () => {
    expect(await listImages(path.join(dir, 'a'))).toEqual([path.join(dir, 'a', '2.png'), path.join(dir, 'a', '10.png')]);
  });
});
