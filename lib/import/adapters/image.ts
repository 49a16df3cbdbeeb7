/** PNG/JPEG slices: one unit per image, in a study that is its folder (index = natural order there) or itself. */
import path from 'node:path';
import { readGreyImage } from '@/lib/imaging/readers/image';
import { ImportError } from '@/lib/imaging/readers/importError';
import { IDENTITY_WINDOW_8BIT } from '@/lib/imaging/window';
import type { ImportUnit } from '../types';
import type { AdapterContext } from './context';

export async function imageUnit(ctx: AdapterContext, file: string): Promise<ImportUnit> {
  const img = await readGreyImage(file);
  const mask = await ctx.maskFor(file, img.width, img.height);
  const byFolder = (ctx.options.studyFrom ?? 'folder') === 'folder';
  const folder = path.dirname(file);
  // In a folder study the index is the image's place among its folder's images, in natural order.
  const index = byFolder ? (await ctx.folderImages(folder)).indexOf(file) : 0;
  if (index < 0) throw new ImportError(file, 'file vanished from its folder during the import');
  return {
    scanKey: ctx.keyOf(byFolder ? folder : file),
    format: 'image',
    importMeta: { format: 'image', studyFrom: byFolder ? 'folder' : 'file', mergedLesionClass: ctx.options.mergedLesionClass ?? 'GGO' },
    file,
    slices: [
      {
        index,
        file,
        image: { kind: 'WINDOWED', width: img.width, height: img.height, pixels: img.pixels },
        window: IDENTITY_WINDOW_8BIT,
        polygons: mask ? ctx.polygonsOf(mask.labels, mask.width, mask.height, mask.mode) : [],
        className: ctx.sliceClass(file),
      },
    ],
  };
}
