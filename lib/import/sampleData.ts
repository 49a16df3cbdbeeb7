/**
 * Sample data for the quick start: when the database holds no slice, `npm start` imports
 *  - SAMPLE_DATA=<dir>, when set (any layout the importer reads; `images/`+`masks/` and `ct/`+`lesion/` pairs are
 *    recognised), else
 *  - the real MedSeg slices of ../shared/data/medseg-ggo-c: the first 40 (natural file order, the model's training
 *    split) with their GGO/C polygons as an accepted seed set, the last 10 without labels for the annotation queue,
 *    plus 40 unlabelled slices of ../shared/data/covid-ct-slices (20 per class folder, with their slice class), else
 *  - a few generated phantom slices (lungs with GGO/C blobs), so the app works on any machine.
 * Subsets are staged (copied) under DATA_DIR/sample and imported with the project's importer.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '@/lib/db/client';
import { dataDir } from '@/lib/imaging/pixelStore';
import { naturalCompare } from './discover';
import { importPath, type ImportOptions, type ImportSummary } from './importPath';

export interface SampleImport {
  source: string;
  slicesAdded: number;
  annotationsAdded: number;
  errors: ImportSummary['errors'];
}

interface SampleOptions {
  root: string;
  log?: (line: string) => void;
}

const IMAGE = /\.(png|jpe?g)$/i;

async function imagesIn(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => IMAGE.test(f)).sort(naturalCompare);
}

/** Stages a subset of a folder for import (copies: a few MB, and links are not followed by the importer). */
async function stageFiles(files: string[], fromDir: string, toDir: string): Promise<void> {
  await fs.mkdir(toDir, { recursive: true });
  for (const f of files) await fs.copyFile(path.join(fromDir, f), path.join(toDir, f));
}

function add(total: SampleImport, s: ImportSummary): SampleImport {
  return { ...total, slicesAdded: total.slicesAdded + s.slicesAdded, annotationsAdded: total.annotationsAdded + s.annotationsAdded, errors: [...total.errors, ...s.errors] };
}

/** Imports a user-given folder, recognising the two paired layouts of ../shared/data. */
async function importUserDir(db: Db, dir: string, source: string): Promise<ImportSummary> {
  const pairs: [string, string][] = [['images', 'masks'], ['ct', 'lesion']];
  for (const [images, masks] of pairs) {
    if (existsSync(path.join(dir, images)) && existsSync(path.join(dir, masks))) {
      return importPath(db, path.join(dir, images), { masksDir: path.join(dir, masks), source, keyRoot: dir, studyFrom: images === 'ct' ? 'folder' : 'file' });
    }
  }
  return importPath(db, dir, { source, keyRoot: dir });
}

async function importSharedSample(db: Db, shared: string, staging: string): Promise<SampleImport> {
  const medseg = path.join(shared, 'medseg-ggo-c');
  const images = await imagesIn(path.join(medseg, 'images'));
  const common: ImportOptions = { source: 'sample', keyRoot: staging, studyFrom: 'file' };
  await stageFiles(images.slice(0, 40), path.join(medseg, 'images'), path.join(staging, 'medseg-labelled'));
  await stageFiles(images.slice(40), path.join(medseg, 'images'), path.join(staging, 'medseg-queue'));
  let total: SampleImport = { source: medseg, slicesAdded: 0, annotationsAdded: 0, errors: [] };
  total = add(total, await importPath(db, path.join(staging, 'medseg-labelled'), { ...common, masksDir: path.join(medseg, 'masks') }));
  total = add(total, await importPath(db, path.join(staging, 'medseg-queue'), common));
  const covid = path.join(shared, 'covid-ct-slices');
  if (existsSync(covid)) {
    for (const folder of ['COVID', 'non-COVID']) {
      const files = (await imagesIn(path.join(covid, folder))).slice(0, 20);
      await stageFiles(files, path.join(covid, folder), path.join(staging, 'covid-ct', folder));
    }
    total = add(total, await importPath(db, path.join(staging, 'covid-ct'), common));
    total.source += ` and ${covid}`;
  }
  return total;
}

/** Phantoms generated when no data is at hand: half carry masks (a training set), half are the annotation queue. */
export const PHANTOM_COUNTS = { labelled: 8, queue: 8 };

/** Phantom slices: an elliptical body with two dark lungs, GGO (faint) and C (dense) blobs; masks 0/1/2. */
async function writePhantoms(dir: string, { labelled, queue } = PHANTOM_COUNTS): Promise<void> {
  const count = labelled + queue;
  const size = 256;
  await fs.mkdir(path.join(dir, 'images'), { recursive: true });
  await fs.mkdir(path.join(dir, 'masks'), { recursive: true });
  for (let k = 0; k < count; k++) {
    const grey = new Uint8Array(size * size);
    const mask = new Uint8Array(size * size);
    const inside = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = y * size + x;
        let v = inside(x, y, 128, 128, 120, 100) ? 150 : 10;
        if (inside(x, y, 80, 128, 40, 70) || inside(x, y, 176, 128, 40, 70)) v = 30;
        if (inside(x, y, 70 + 4 * k, 110, 12, 9)) {
          v = 90;
          mask[i] = 1;
        }
        if (inside(x, y, 180, 150 - 3 * k, 8, 8)) {
          v = 170;
          mask[i] = 2;
        }
        grey[i] = Math.min(255, v + ((x * 7 + y * 13 + k) % 9));
      }
    }
    await sharp(Buffer.from(grey), { raw: { width: size, height: size, channels: 1 } }).png().toFile(path.join(dir, 'images', `phantom-${k}.png`));
    // The last phantoms carry no mask: they are the annotation queue.
    if (k < labelled) await sharp(Buffer.from(mask), { raw: { width: size, height: size, channels: 1 } }).png().toFile(path.join(dir, 'masks', `phantom-${k}.png`));
  }
}

export async function ensureSampleData(db: Db, { root, log = () => undefined }: SampleOptions): Promise<SampleImport | null> {
  if ((await db.slice.count()) > 0) return null;
  const staging = path.join(dataDir(), 'sample');
  const fromEnv = process.env.SAMPLE_DATA?.trim();
  let result: SampleImport;
  if (fromEnv) {
    const dir = path.resolve(root, fromEnv);
    if (!existsSync(dir)) throw new Error(`SAMPLE_DATA=${fromEnv}: no such folder`);
    log(`importing SAMPLE_DATA ${dir}`);
    result = add({ source: dir, slicesAdded: 0, annotationsAdded: 0, errors: [] }, await importUserDir(db, dir, 'sample'));
  } else if (existsSync(path.join(root, '../shared/data/medseg-ggo-c/images'))) {
    log('importing the sample slices from ../shared/data');
    result = await importSharedSample(db, path.resolve(root, '../shared/data'), staging);
  } else {
    log('no sample data found: generating phantom slices');
    const dir = path.join(staging, 'phantoms');
    await writePhantoms(dir);
    result = add({ source: 'generated phantoms', slicesAdded: 0, annotationsAdded: 0, errors: [] }, await importUserDir(db, dir, 'sample'));
  }
  for (const e of result.errors) log(`  could not import ${e.file}: ${e.message}`);
  return result;
}
