/**
 * Dataset folders in the formats of ../shared/data, with fixed, documented splits:
 *   - `images/N.jpg` + `masks/N.png` (MedSeg): sorted by the number in the file name, the first 80 % train
 *     and the rest validate (50 slices → 40 / 10).
 *   - `ct/NNNN.png` + `lesion/NNNN.png` (Zenodo, merged lesion): files run volume by volume, so the split is
 *     a contiguous index range: index < 600 trains, ≥ 600 validates (0000–0599 / 0600–0788); folders with
 *     at most 600 slices use the first 76 %.
 *   - class folders `<class>/*.png` (covid-ct-slices): per class, sorted by the number in the file name, the
 *     first 70 % train and the rest validate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readGreyImage } from '@/lib/imaging/readers/image';
import { readLabelMask } from '@/lib/imaging/readers/mask';
import type { GreySlice } from './augment';

export interface SegmentationRef {
  id: string;
  image: string;
  mask: string;
}

export interface SegmentationDataset {
  format: 'images-masks' | 'ct-lesion';
  dir: string;
  train: SegmentationRef[];
  val: SegmentationRef[];
}

export interface ClassificationRef {
  id: string;
  image: string;
  label: number;
}

export interface ClassificationDataset {
  dir: string;
  classNames: string[];
  train: ClassificationRef[];
  val: ClassificationRef[];
}

const IMAGE_EXT = /\.(png|jpe?g|tif|tiff|bmp|webp)$/i;

/** The last run of digits in a file name, for numeric ordering ("Covid (12).png" → 12). */
export function fileNumber(name: string): number {
  const m = path.parse(name).name.match(/(\d+)(?!.*\d)/);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

function byNumber(a: string, b: string): number {
  return fileNumber(a) - fileNumber(b) || a.localeCompare(b);
}

function listImages(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => IMAGE_EXT.test(f)).sort(byNumber);
}

function pairByStem(dir: string, imageDir: string, maskDir: string): SegmentationRef[] {
  const masks = new Map(listImages(path.join(dir, maskDir)).map((f) => [path.parse(f).name, f]));
  const refs: SegmentationRef[] = [];
  for (const f of listImages(path.join(dir, imageDir))) {
    const stem = path.parse(f).name;
    const m = masks.get(stem);
    if (m) refs.push({ id: stem, image: path.join(dir, imageDir, f), mask: path.join(dir, maskDir, m) });
  }
  if (refs.length === 0) throw new Error(`No image/mask pairs with matching names in ${path.join(dir, imageDir)} and ${path.join(dir, maskDir)}`);
  return refs;
}

export function openSegmentationDataset(dir: string): SegmentationDataset {
  if (!fs.existsSync(dir)) throw new Error(`Data folder not found: ${dir}`);
  const has = (d: string) => fs.existsSync(path.join(dir, d));
  if (has('images') && has('masks')) {
    const refs = pairByStem(dir, 'images', 'masks');
    const nTrain = Math.round(refs.length * 0.8);
    return { format: 'images-masks', dir, train: refs.slice(0, nTrain), val: refs.slice(nTrain) };
  }
  if (has('ct') && has('lesion')) {
    const refs = pairByStem(dir, 'ct', 'lesion');
    const train = refs.length > 600 ? refs.filter((r) => fileNumber(r.id) < 600) : refs.slice(0, Math.round(refs.length * 0.76));
    const trainIds = new Set(train.map((r) => r.id));
    return { format: 'ct-lesion', dir, train, val: refs.filter((r) => !trainIds.has(r.id)) };
  }
  throw new Error(`${dir} is not a segmentation data folder: expected images/ + masks/ (MedSeg style) or ct/ + lesion/ (Zenodo style)`);
}

export function openClassificationDataset(dir: string, classNames?: string[]): ClassificationDataset {
  if (!fs.existsSync(dir)) throw new Error(`Data folder not found: ${dir}`);
  const folders = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const names = classNames ?? folders;
  const missing = names.filter((n) => !folders.includes(n));
  if (missing.length) throw new Error(`Class folder(s) ${missing.join(', ')} not found in ${dir} (found: ${folders.join(', ') || 'none'})`);
  if (names.length < 2) throw new Error(`${dir} needs at least two class folders (e.g. COVID/ and non-COVID/)`);
  const train: ClassificationRef[] = [];
  const val: ClassificationRef[] = [];
  names.forEach((name, label) => {
    const files = listImages(path.join(dir, name));
    const nTrain = Math.round(files.length * 0.7);
    files.forEach((f, i) => (i < nTrain ? train : val).push({ id: `${name}/${f}`, image: path.join(dir, name, f), label }));
  });
  return { dir, classNames: names, train, val };
}

export async function readGreySlice(file: string): Promise<GreySlice> {
  const img = await readGreyImage(file);
  const pixels = new Float32Array(img.pixels.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = img.pixels[i] / 255;
  return { height: img.height, width: img.width, pixels };
}

export interface LabelledSlice {
  id: string;
  image: GreySlice;
  labels: Uint8Array;
  mode: 'classes' | 'merged';
}

export async function readSegmentationSample(ref: SegmentationRef): Promise<LabelledSlice> {
  const [image, mask] = await Promise.all([readGreySlice(ref.image), readLabelMask(ref.mask)]);
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new Error(`Mask ${ref.mask} is ${mask.width}×${mask.height} but image ${ref.image} is ${image.width}×${image.height}`);
  }
  return { id: ref.id, image, labels: mask.labels, mode: mask.mode };
}
