/**
 * A small upload for tests (unit and Playwright): `n` random-noise PNG slices under images/ with GGO/C label masks
 * under masks/ (a GGO square and a C square each), a labels.csv, and optionally one corrupt "PNG".
 * Noise makes every build unique, so re-running a test never collides with slices already imported.
 */
import { randomBytes } from 'node:crypto';
import { zipSync } from 'fflate';
import sharp from 'sharp';

export interface TestZipOptions {
  slices?: number;
  size?: number;
  /** Add images/broken.png that is not a PNG (the importer must report it and go on). */
  corrupt?: boolean;
}

export async function buildTestZip({ slices = 3, size = 64, corrupt = true }: TestZipOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const files: Record<string, Uint8Array> = {};
  const csv = ['file,class'];
  for (let k = 1; k <= slices; k++) {
    files[`images/${k}.png`] = await sharp(randomBytes(size * size), { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
    const mask = new Uint8Array(size * size);
    const q = size / 4;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (x >= q && x < 2 * q && y >= q && y < 2 * q) mask[y * size + x] = 1;
        if (x >= 2.5 * q && x < 3.5 * q && y >= 2.5 * q && y < 3.5 * q) mask[y * size + x] = 2;
      }
    }
    files[`masks/${k}.png`] = await sharp(mask, { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
    csv.push(`${k}.png,${k % 2 ? 'COVID-19' : 'Normal'}`);
  }
  if (corrupt) files['images/broken.png'] = new TextEncoder().encode('this is not a PNG');
  files['labels.csv'] = new TextEncoder().encode(csv.join('\n') + '\n');
  return new Uint8Array(zipSync(files));
}
