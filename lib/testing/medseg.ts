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
