/**
 * What the format adapters share: the import's options and root, scan keys, slice classes (CSV or class folders,
 * under their canonical names), label masks matched by base name and their polygons.
 */
import path from 'node:path';
import { DEFAULT_CONTOUR_OPTIONS, labelMapToPolygons, type LesionClass, type LesionPolygon } from '@/lib/imaging/contours';
import { ImportError } from '@/lib/imaging/readers/importError';
import { readLabelMask, type LabelMask, type MaskMode } from '@/lib/imaging/readers/mask';
import { listImages, type indexMasks } from '../discover';
import { classFromCsv, classFromFolder, stem } from '../sliceClasses';
import type { ImportOptions } from '../types';

export interface AdapterContext {
  options: ImportOptions;
  /** The folder the inputs were discovered under. */
  root: string;
  /** A file's or folder's scan key (relative to options.keyRoot when given). */
  keyOf(p: string): string;
  /** The stored slice class of a file, if the CSV or its folders give one. */
  sliceClass(file: string, extraKeys?: string[]): string | undefined;
  /** Polygons of a label map (classes 1 GGO, 2 C; or a merged lesion). */
  polygonsOf(labels: Uint8Array, width: number, height: number, mode: MaskMode): LesionPolygon[];
  /** The PNG label mask of a slice file, checked against its size. */
  maskFor(file: string, width: number, height: number): Promise<LabelMask | undefined>;
  /** The NIfTI label volume of a volume file. */
  niftiMaskFor(file: string): string | undefined;
  /** A folder's images in natural order (cached for the run). */
  folderImages(folder: string): Promise<string[]>;
}

export interface AdapterSources {
  options: ImportOptions;
  root: string;
  masks?: Awaited<ReturnType<typeof indexMasks>>;
  labels?: Map<string, string>;
  /** Folder names taken as slice classes. */
  classFolders: readonly string[];
  /** The stored name of a slice class (its canonical name under the class aliases). */
  canonicalClass: (className: string) => string;
}

export function createAdapterContext({ options, root, masks, labels, classFolders, canonicalClass }: AdapterSources): AdapterContext {
  const folderImages = new Map<string, Promise<string[]>>();
  return {
    options,
    root,
    keyOf: (p) => (options.keyRoot ? path.relative(options.keyRoot, p).split(path.sep).join('/') : p),
    sliceClass(file, extraKeys = []) {
      const named = labels ? classFromCsv(labels, file, [root, path.dirname(path.resolve(options.labelsCsv!))], extraKeys) : classFromFolder(file, classFolders);
      return named === undefined ? undefined : canonicalClass(named);
    },
    polygonsOf(labelMap, width, height, mode) {
      const classOf: Partial<Record<number, LesionClass>> = mode === 'classes' ? { 1: 'GGO', 2: 'C' } : { 1: options.mergedLesionClass ?? 'GGO' };
      return labelMapToPolygons(labelMap, width, height, classOf, options.contour ?? DEFAULT_CONTOUR_OPTIONS);
    },
    async maskFor(file, width, height) {
      const maskFile = masks?.png.get(stem(file));
      if (!maskFile) return undefined;
      const mask = await readLabelMask(maskFile);
      if (mask.width !== width || mask.height !== height) {
        throw new ImportError(file, `mask ${path.basename(maskFile)} is ${mask.width}×${mask.height} but the image is ${width}×${height}`);
      }
      return mask;
    },
    niftiMaskFor: (file) => masks?.nifti.get(stem(file)),
    folderImages(folder) {
      if (!folderImages.has(folder)) folderImages.set(folder, listImages(folder));
      return folderImages.get(folder)!;
    },
  };
}
