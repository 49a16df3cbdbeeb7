/**
 * Finding the CT inputs under a path: DICOM files, NIfTI volumes, 2-D images, and the masks that go with them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { looksLikeDicom } from '@/lib/imaging/readers/dicom';
import { ImportError } from '@/lib/imaging/readers/importError';
import { stem } from './sliceClasses';

export type InputKind = 'dicom' | 'nifti' | 'image';

export interface Discovered {
  /** The folder the input path names (or holds the input file). */
  root: string;
  dicom: string[];
  nifti: string[];
  images: string[];
  /** Files that are not CT inputs (README, CSV, …): reported, not errors. */
  skipped: { file: string; reason: string }[];
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp']);
const DICOM_EXT = new Set(['.dcm', '.dicom', '.ima']);

/** Natural order (`2.png` before `10.png`), as file browsers sort. */
export const naturalCompare = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare;

/** What a file is by its name; `undefined` for a name without an extension (may be DICOM: check the bytes). */
export function kindByName(file: string): InputKind | 'other' | undefined {
  const lower = path.basename(file).toLowerCase();
  if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) return 'nifti';
  const ext = path.extname(lower);
  if (DICOM_EXT.has(ext)) return 'dicom';
  if (IMAGE_EXT.has(ext)) return 'image';
  return ext === '' ? undefined : 'other';
}

async function hasDicomMarker(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(132);
    const { bytesRead } = await handle.read(buf, 0, 132, 0);
    return looksLikeDicom(buf.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Lists the CT inputs under `inputPath` (recursively, natural order, hidden entries ignored), leaving out
 * `exclude` folders (e.g. a masks folder inside the input). A single file must be a CT input.
 */
export async function discoverInputs(inputPath: string, exclude: string[] = []): Promise<Discovered> {
  const abs = path.resolve(inputPath);
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat) throw new ImportError(abs, 'no such file or folder');
  const out: Discovered = { root: stat.isDirectory() ? abs : path.dirname(abs), dicom: [], nifti: [], images: [], skipped: [] };
  const excluded = new Set(exclude.map((e) => path.resolve(e)));

  const classify = async (file: string, explicit: boolean) => {
    let kind = kindByName(file);
    if (kind === undefined) kind = (await hasDicomMarker(file).catch(() => false)) ? 'dicom' : 'other';
    if (kind === 'dicom') out.dicom.push(file);
    else if (kind === 'nifti') out.nifti.push(file);
    else if (kind === 'image') out.images.push(file);
    else if (explicit) throw new ImportError(file, 'not a CT input: use DICOM (.dcm), NIfTI (.nii, .nii.gz) or PNG/JPEG slices');
    else out.skipped.push({ file, reason: 'not a CT input file type' });
  };

  const walk = async (dir: string) => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => naturalCompare(a.name, b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!excluded.has(p)) await walk(p);
      } else if (e.isFile()) await classify(p, false);
    }
  };

  if (stat.isDirectory()) await walk(abs);
  else await classify(abs, true);
  return out;
}

/**
 * Masks in a folder, by base name without extension: PNG label masks for slices, NIfTI label volumes for
 * volumes. Throws when the folder is missing.
 */
export async function indexMasks(masksDir: string): Promise<{ png: Map<string, string>; nifti: Map<string, string> }> {
  const abs = path.resolve(masksDir);
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat?.isDirectory()) throw new ImportError(abs, 'masks folder not found');
  const png = new Map<string, string>();
  const nifti = new Map<string, string>();
  for (const name of (await fs.readdir(abs)).sort(naturalCompare)) {
    if (name.startsWith('.')) continue;
    const kind = kindByName(name);
    if (kind === 'nifti') nifti.set(stem(name), path.join(abs, name));
    else if (path.extname(name).toLowerCase() === '.png') png.set(stem(name), path.join(abs, name));
  }
  return { png, nifti };
}

/** The image files directly in `folder`, natural order: the slice order of a folder study. */
export async function listImages(folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && kindByName(e.name) === 'image')
    .map((e) => e.name)
    .sort(naturalCompare)
    .map((name) => path.join(folder, name));
}
