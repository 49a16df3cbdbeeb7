import zlib from 'node:zlib';
import { expect, it } from 'vitest';

it('refuses a .nii.gz that gunzips past the limit, without inflating it all (a gzip bomb)', async () => {
  process.env.CTMS_MAX_NIFTI_MB = '1';
  const { parseNiftiBytes } = await import('./nifti');
  const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in ~64 KiB
  await expect(parseNiftiBytes(bomb, 'bomb.nii.gz')).rejects.toThrow(/unpacks to more than 1 MiB/);
});
