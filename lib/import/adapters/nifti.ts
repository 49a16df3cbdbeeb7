/** NIfTI volumes: one unit per file, slices in stored order, with an optional NIfTI label volume (0/1/2). */
import path from 'node:path';
import { ImportError } from '@/lib/imaging/readers/importError';
import { readNiftiFile } from '@/lib/imaging/readers/nifti';
import { DEFAULT_HU_WINDOW } from '@/lib/imaging/window';
import type { ImportUnit } from '../types';
import type { AdapterContext } from './context';

export async function niftiUnit(ctx: AdapterContext, file: string): Promise<ImportUnit> {
  const vol = await readNiftiFile(file);
  const maskFile = ctx.niftiMaskFor(file);
  let maskSlices: Uint8Array[] | undefined;
  if (maskFile) {
    const m = await readNiftiFile(maskFile);
    if (m.width !== vol.width || m.height !== vol.height || m.slices.length !== vol.slices.length) {
      throw new ImportError(file, `mask ${path.basename(maskFile)} is ${m.width}×${m.height}×${m.slices.length} but the volume is ${vol.width}×${vol.height}×${vol.slices.length}`);
    }
    maskSlices = m.slices.map((s, k) => {
      const labels = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) {
        if (s[i] < 0 || s[i] > 2) throw new ImportError(maskFile, `label ${s[i]} in slice ${k}: label volumes use 0 background, 1 GGO, 2 consolidation`);
        labels[i] = s[i];
      }
      return labels;
    });
  }
  const className = ctx.sliceClass(file);
  const huWindow = ctx.options.huWindow ?? DEFAULT_HU_WINDOW;
  return {
    scanKey: ctx.keyOf(file),
    format: 'nifti',
    importMeta: { format: 'nifti', file: path.basename(file), datatype: vol.datatype, pixdim: vol.pixdim, scale: vol.scale, affine: vol.affine ?? null, slices: vol.slices.length, sliceOrder: 'stored (index 0 = first stored slice)', mask: maskFile ? path.basename(maskFile) : null },
    file,
    slices: vol.slices.map((hu, k) => ({
      index: k,
      file,
      image: { kind: 'HU', width: vol.width, height: vol.height, pixels: hu },
      window: huWindow,
      polygons: maskSlices ? ctx.polygonsOf(maskSlices[k], vol.width, vol.height, 'classes') : [],
      className,
    })),
  };
}
