import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sharedDataDir } from './paths';

/** The real MedSeg slices (../shared/data/medseg-ggo-c), for tests that need real CT with GGO/C masks. */
export const medsegDir = path.join(sharedDataDir(), 'medseg-ggo-c');
export const medsegMasks = path.join(medsegDir, 'masks');
export const haveMedseg = existsSync(path.join(medsegDir, 'images'));

/** MedSeg image file names in numeric order. */
export const medsegImages = () => readdirSync(path.join(medsegDir, 'images')).sort((a, b) => parseInt(a) - parseInt(b));

/** Copies some MedSeg images into `dir` (a folder to import, with `medsegMasks` as its masks). */
export function stageMedseg(dir: string, files: string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const f of files) cpSync(path.join(medsegDir, 'images', f), path.join(dir, f));
  return dir;
}

/**
 * `count` real MedSeg slices as a CT series of `size`² slices (grey g → HU g·4 − 1024; resized to one grid, as a
 * series needs) with their real GGO/C label maps (nearest-neighbour resized): real lesion shapes for the DICOM-SEG
 * round trip.
 */
export async function medsegAsSeries(count: number, size: number): Promise<{ hu: Int16Array[]; labels: Uint8Array[] }> {
  const sharp = (await import('sharp')).default;
  const { readLabelMask } = await import('@/lib/imaging/readers/mask');
  const hu: Int16Array[] = [];
  const labels: Uint8Array[] = [];
  for (const file of medsegImages().slice(0, count)) {
    const grey = await sharp(path.join(medsegDir, 'images', file)).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer();
    hu.push(Int16Array.from(grey, (g) => g * 4 - 1024));
    const mask = await readLabelMask(path.join(medsegMasks, file.replace(/\.\w+$/, '.png')));
    const resized = await sharp(Buffer.from(mask.labels), { raw: { width: mask.width, height: mask.height, channels: 1 } }).resize(size, size, { fit: 'fill', kernel: 'nearest' }).extractChannel(0).raw().toBuffer();
    labels.push(new Uint8Array(resized));
  }
  return { hu, labels };
}
