/**
 * Importing CT data into the database: `importPath(db, inputPath, options, onProgress)`.
 *
 * 1. Discover inputs under the path (DICOM files, NIfTI volumes, PNG/JPEG slices), masks (`masksDir`, matched by
 *    base name) and slice classes (`labelsCsv`, else class-named parent folders).
 * 2. Group into import units, one database transaction each: a DICOM series (by SeriesInstanceUID, ordered most
 *    cranial first), a NIfTI file, or one 2-D image (whose study is its folder or itself, `studyFrom`).
 * 3. Per unit: read and validate every file (a bad file is reported with its name and left out), store pixels
 *    (content-addressed, so an identical image is stored once), then one transaction that upserts the Study and
 *    adds Slices, IMPORTED/ACCEPTED Annotations with their CREATE revision, and SliceLabels. A slice already
 *    present at (study, index) with the same content hash is skipped, with a different one it is an error.
 *    When the transaction fails, nothing of the unit stays: the database rolls back and the pixel files it wrote
 *    are deleted unless some slice references them.
 */
import path from 'node:path';
import type { Db } from '@/lib/db/client';
import { DEFAULT_CONTOUR_OPTIONS, labelMapToPolygons, type ContourOptions, type LesionClass, type LesionPolygon } from '@/lib/imaging/contours';
import { dataDir, deletePixels, type PixelImage, writePixels } from '@/lib/imaging/pixelStore';
import { orderSeries, readDicomFile, readDicomHeader, type DicomHeader } from '@/lib/imaging/readers/dicom';
import { readGreyImage } from '@/lib/imaging/readers/image';
import { ImportError } from '@/lib/imaging/readers/importError';
import { readLabelMask, type LabelMask, type MaskMode } from '@/lib/imaging/readers/mask';
import { readNiftiFile } from '@/lib/imaging/readers/nifti';
import { DEFAULT_HU_WINDOW, IDENTITY_WINDOW_8BIT, type Window } from '@/lib/imaging/window';
import { discoverInputs, indexMasks, listImages } from './discover';
import { classFromCsv, classFromFolder, DEFAULT_CLASS_FOLDERS, readLabelsCsv, stem } from './sliceClasses';

export { ImportError } from '@/lib/imaging/readers/importError';

export interface ImportOptions {
  /** Folder of masks matched by base name: PNG label masks for slices, NIfTI label volumes for volumes. */
  masksDir?: string;
  /** CSV with columns file,class. */
  labelsCsv?: string;
  /** 2-D images: one study per folder (default) or per file. */
  studyFrom?: 'folder' | 'file';
  /** Study.source (default 'import'); with scanKey it identifies a study across re-imports. */
  source?: string;
  /** File/folder scan keys and Slice.sourceFile are relative to this folder when given, else absolute paths. */
  keyRoot?: string;
  /** Pixel storage root (default: DATA_DIR or <repo>/data). */
  dataDir?: string;
  /** Recorded as Study.importedById and the annotations' author. */
  importedById?: string;
  /** Class given to polygons from binary (merged GGO+C) masks; the schema has no "lesion" class. Default GGO. */
  mergedLesionClass?: LesionClass;
  /** Window stored for HU slices that carry none (NIfTI, DICOM without window tags). Default lung. */
  huWindow?: Window;
  /** Folder names taken as slice classes when no CSV is given. */
  classFolders?: readonly string[];
  contour?: ContourOptions;
}

export interface ImportProgress {
  done: number;
  total: number;
  /** The file just finished (absolute path). */
  file: string;
}

export interface ImportSummary {
  /** CT input files found (DICOM files, NIfTI files, images). */
  files: number;
  studies: number;
  slicesAdded: number;
  slicesSkipped: number;
  annotationsAdded: number;
  labelsAdded: number;
  errors: { file: string; message: string }[];
  /** Files under the path that are not CT inputs (not errors). */
  skipped: { file: string; reason: string }[];
}

/** One slice ready to be written. */
interface PreparedSlice {
  index: number;
  file: string;
  image: PixelImage;
  window: Window;
  polygons: LesionPolygon[];
  className?: string;
}

/** One transaction's worth: a study and the slices one file (or one DICOM series) brings. */
interface Unit {
  scanKey: string;
  format: 'dicom' | 'nifti' | 'image';
  patientId?: string;
  importMeta: Record<string, unknown>;
  slices: PreparedSlice[];
  /** Named in errors about the unit as a whole. */
  file: string;
}

interface Context {
  db: Db;
  options: ImportOptions;
  root: string;
  storageRoot: string;
  masks?: Awaited<ReturnType<typeof indexMasks>>;
  labels?: Map<string, string>;
  summary: ImportSummary;
  studyIds: Set<string>;
  /** Per-run cache of listImages(folder). */
  folderImages: Map<string, Promise<string[]>>;
}

export async function importPath(
  db: Db,
  inputPath: string,
  options: ImportOptions = {},
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportSummary> {
  const masks = options.masksDir ? await indexMasks(options.masksDir) : undefined;
  const labels = options.labelsCsv ? await readLabelsCsv(options.labelsCsv) : undefined;
  const found = await discoverInputs(inputPath, options.masksDir ? [options.masksDir] : []);
  const summary: ImportSummary = {
    files: found.dicom.length + found.nifti.length + found.images.length,
    studies: 0,
    slicesAdded: 0,
    slicesSkipped: 0,
    annotationsAdded: 0,
    labelsAdded: 0,
    errors: [],
    skipped: found.skipped,
  };
  const ctx: Context = { db, options, root: found.root, storageRoot: options.dataDir ?? dataDir(), masks, labels, summary, studyIds: new Set(), folderImages: new Map() };
  let done = 0;
  const progress = (file: string) => onProgress?.({ done: ++done, total: summary.files, file });

  // DICOM: headers first, to group series and order them without holding every slice's pixels.
  const headers: DicomHeader[] = [];
  for (const file of found.dicom) {
    try {
      headers.push(await readDicomHeader(file));
    } catch (err) {
      recordError(ctx, file, err);
      progress(file);
    }
  }
  for (const series of groupSeries(headers)) {
    await runUnit(ctx, series[0].file, () => prepareDicomSeries(ctx, series, progress));
  }
  for (const file of found.nifti) {
    await runUnit(ctx, file, () => prepareNifti(ctx, file));
    progress(file);
  }
  for (const file of found.images) {
    await runUnit(ctx, file, () => prepareImage(ctx, file));
    progress(file);
  }
  summary.studies = ctx.studyIds.size;
  return summary;
}

function recordError(ctx: Context, file: string, err: unknown): void {
  const message = err instanceof ImportError ? err.reason : err instanceof Error ? err.message : String(err);
  ctx.summary.errors.push({ file: err instanceof ImportError ? err.file : file, message });
}

/** Prepares a unit (null when nothing is left to import), stores its pixels and commits it; errors are recorded. */
async function runUnit(ctx: Context, file: string, prepare: () => Promise<Unit | null>): Promise<void> {
  try {
    const unit = await prepare();
    if (unit && unit.slices.length > 0) await commitUnit(ctx, unit);
  } catch (err) {
    recordError(ctx, file, err);
  }
}

// ---------------------------------------------------------------- keys, masks, classes

function keyOf(ctx: Context, p: string): string {
  return ctx.options.keyRoot ? path.relative(ctx.options.keyRoot, p).split(path.sep).join('/') : p;
}

function sliceClass(ctx: Context, file: string, extraKeys: string[] = []): string | undefined {
  if (ctx.labels) return classFromCsv(ctx.labels, file, ctx.root, extraKeys);
  return classFromFolder(file, ctx.options.classFolders ?? DEFAULT_CLASS_FOLDERS);
}

function polygonsOf(ctx: Context, labels: Uint8Array, width: number, height: number, mode: MaskMode): LesionPolygon[] {
  const classOf: Partial<Record<number, LesionClass>> = mode === 'classes' ? { 1: 'GGO', 2: 'C' } : { 1: ctx.options.mergedLesionClass ?? 'GGO' };
  return labelMapToPolygons(labels, width, height, classOf, ctx.options.contour ?? DEFAULT_CONTOUR_OPTIONS);
}

async function maskFor(ctx: Context, file: string, width: number, height: number): Promise<LabelMask | undefined> {
  const maskFile = ctx.masks?.png.get(stem(file));
  if (!maskFile) return undefined;
  const mask = await readLabelMask(maskFile);
  if (mask.width !== width || mask.height !== height) {
    throw new ImportError(file, `mask ${path.basename(maskFile)} is ${mask.width}×${mask.height} but the image is ${width}×${height}`);
  }
  return mask;
}

// ---------------------------------------------------------------- preparing units

async function prepareImage(ctx: Context, file: string): Promise<Unit> {
  const img = await readGreyImage(file);
  const mask = await maskFor(ctx, file, img.width, img.height);
  const byFolder = (ctx.options.studyFrom ?? 'folder') === 'folder';
  const folder = path.dirname(file);
  // In a folder study the index is the image's place among its folder's images, in natural order.
  if (byFolder && !ctx.folderImages.has(folder)) ctx.folderImages.set(folder, listImages(folder));
  const index = byFolder ? (await ctx.folderImages.get(folder)!).indexOf(file) : 0;
  if (index < 0) throw new ImportError(file, 'file vanished from its folder during the import');
  return {
    scanKey: keyOf(ctx, byFolder ? folder : file),
    format: 'image',
    importMeta: { format: 'image', studyFrom: byFolder ? 'folder' : 'file', mergedLesionClass: ctx.options.mergedLesionClass ?? 'GGO' },
    file,
    slices: [
      {
        index,
        file,
        image: { kind: 'WINDOWED', width: img.width, height: img.height, pixels: img.pixels },
        window: IDENTITY_WINDOW_8BIT,
        polygons: mask ? polygonsOf(ctx, mask.labels, mask.width, mask.height, mask.mode) : [],
        className: sliceClass(ctx, file),
      },
    ],
  };
}

async function prepareNifti(ctx: Context, file: string): Promise<Unit> {
  const vol = await readNiftiFile(file);
  const maskFile = ctx.masks?.nifti.get(stem(file));
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
  const className = sliceClass(ctx, file);
  const huWindow = ctx.options.huWindow ?? DEFAULT_HU_WINDOW;
  return {
    scanKey: keyOf(ctx, file),
    format: 'nifti',
    importMeta: { format: 'nifti', file: path.basename(file), datatype: vol.datatype, pixdim: vol.pixdim, scale: vol.scale, affine: vol.affine ?? null, slices: vol.slices.length, sliceOrder: 'stored (index 0 = first stored slice)', mask: maskFile ? path.basename(maskFile) : null },
    file,
    slices: vol.slices.map((hu, k) => ({
      index: k,
      file,
      image: { kind: 'HU', width: vol.width, height: vol.height, pixels: hu },
      window: huWindow,
      polygons: maskSlices ? polygonsOf(ctx, maskSlices[k], vol.width, vol.height, 'classes') : [],
      className,
    })),
  };
}

/** DICOM headers grouped by SeriesInstanceUID (files without one form a series per folder), ordered. */
function groupSeries(headers: DicomHeader[]): DicomHeader[][] {
  const groups = new Map<string, DicomHeader[]>();
  for (const h of headers) {
    const key = h.seriesInstanceUid ?? `folder:${path.dirname(h.file)}`;
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  return [...groups.values()].map((g) => orderSeries(g).ordered);
}

/** Decodes the series' slices one by one; a file that fails is recorded and left out, the rest go on. */
async function prepareDicomSeries(ctx: Context, series: DicomHeader[], progress: (file: string) => void): Promise<Unit | null> {
  const first = series[0];
  const { by } = orderSeries(series);
  const folders = [...new Set(series.map((h) => path.dirname(h.file)))];
  const slices: PreparedSlice[] = [];
  const huWindow = ctx.options.huWindow ?? DEFAULT_HU_WINDOW;
  for (let index = 0; index < series.length; index++) {
    const file = series[index].file;
    try {
      if (series[index].width !== first.width || series[index].height !== first.height) {
        throw new ImportError(file, `is ${series[index].width}×${series[index].height} but its series is ${first.width}×${first.height}`);
      }
      const s = await readDicomFile(file);
      const mask = await maskFor(ctx, file, s.width, s.height);
      slices.push({
        // The index is the place in the ordered series (gaps where a file failed keep re-imports stable).
        index,
        file,
        image: { kind: 'HU', width: s.width, height: s.height, pixels: s.hu },
        window: s.window ?? huWindow,
        polygons: mask ? polygonsOf(ctx, mask.labels, mask.width, mask.height, mask.mode) : [],
        className: sliceClass(ctx, file, folders.map((f) => path.relative(ctx.root, f).split(path.sep).join('/') || path.basename(f))),
      });
    } catch (err) {
      recordError(ctx, file, err);
    } finally {
      progress(file);
    }
  }
  if (slices.length === 0) return null;
  return {
    scanKey: first.seriesInstanceUid ?? keyOf(ctx, folders[0]),
    format: 'dicom',
    patientId: first.patientId,
    importMeta: {
      format: 'dicom',
      seriesInstanceUid: first.seriesInstanceUid ?? null,
      studyInstanceUid: first.studyInstanceUid ?? null,
      seriesDescription: first.seriesDescription ?? null,
      modality: first.modality ?? null,
      orderedBy: by,
      pixelSpacing: first.pixelSpacing ?? null,
      sliceThickness: first.sliceThickness ?? null,
      imageOrientation: first.imageOrientation ?? null,
      files: series.map((h) => keyOf(ctx, h.file)),
    },
    file: first.file,
    slices,
  };
}

// ---------------------------------------------------------------- writing a unit

async function commitUnit(ctx: Context, unit: Unit): Promise<void> {
  const { db, options } = ctx;
  const source = options.source ?? 'import';
  const created: string[] = [];
  const stored: { slice: PreparedSlice; path: string; hash: string }[] = [];
  try {
    for (const slice of unit.slices) {
      const s = await writePixels(slice.image, ctx.storageRoot);
      if (s.created) created.push(s.path);
      stored.push({ slice, path: s.path, hash: s.contentHash });
    }
    const counts = await db.$transaction(
      async (tx) => {
        const n = { studyId: '', added: 0, skipped: 0, annotations: 0, labels: 0 };
        const study = await tx.study.upsert({
          where: { source_scanKey: { source, scanKey: unit.scanKey } },
          create: {
            source,
            scanKey: unit.scanKey,
            format: unit.format,
            patientId: unit.patientId ?? null,
            importMeta: unit.importMeta as object,
            importedById: options.importedById ?? null,
          },
          update: {},
          select: { id: true },
        });
        n.studyId = study.id;
        for (const { slice, path: pixelPath, hash } of stored) {
          const existing = await tx.slice.findUnique({
            where: { studyId_index: { studyId: study.id, index: slice.index } },
            select: { contentHash: true, sourceFile: true },
          });
          if (existing) {
            if (existing.contentHash === hash) {
              n.skipped++;
              continue;
            }
            throw new ImportError(
              slice.file,
              `slice ${slice.index} of study ${unit.scanKey} already holds different pixels (imported from ${existing.sourceFile}); ` +
                `import changed files under another source (options.source / --source) or delete the study first`,
            );
          }
          const row = await tx.slice.create({
            data: {
              studyId: study.id,
              index: slice.index,
              width: slice.image.width,
              height: slice.image.height,
              pixelPath,
              pixelKind: slice.image.kind,
              windowWidth: slice.window.width,
              windowLevel: slice.window.level,
              contentHash: hash,
              sourceFile: keyOf(ctx, slice.file),
              status: slice.polygons.length > 0 ? 'ACCEPTED' : 'UNLABELLED',
            },
            select: { id: true },
          });
          n.added++;
          for (const p of slice.polygons) {
            const snapshot = { lesionClass: p.lesionClass, points: p.points, holes: p.holes, status: 'ACCEPTED' };
            await tx.annotation.create({
              data: {
                sliceId: row.id,
                lesionClass: p.lesionClass,
                points: p.points,
                holes: p.holes,
                source: 'IMPORTED',
                status: 'ACCEPTED',
                version: 1,
                authorId: options.importedById ?? null,
                revisions: { create: { version: 1, action: 'CREATE', snapshot, authorId: options.importedById ?? null } },
              },
              select: { id: true },
            });
            n.annotations++;
          }
          if (slice.className) {
            await tx.sliceLabel.create({ data: { sliceId: row.id, className: slice.className, source: 'IMPORTED', authorId: options.importedById ?? null } });
            n.labels++;
          }
        }
        return n;
      },
      // A large volume is thousands of inserts: allow more than Prisma's 5 s default.
      { timeout: 10 * 60_000, maxWait: 60_000 },
    );
    ctx.studyIds.add(counts.studyId);
    ctx.summary.slicesAdded += counts.added;
    ctx.summary.slicesSkipped += counts.skipped;
    ctx.summary.annotationsAdded += counts.annotations;
    ctx.summary.labelsAdded += counts.labels;
  } catch (err) {
    await removeOrphans(ctx, created);
    throw err instanceof ImportError ? err : new ImportError(unit.file, `database write failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Deletes pixel files this unit created, unless a slice (from elsewhere) references the same content. */
async function removeOrphans(ctx: Context, created: string[]): Promise<void> {
  for (const p of new Set(created)) {
    const refs = await ctx.db.slice.count({ where: { pixelPath: p } }).catch(() => 1);
    if (refs === 0) await deletePixels(p, ctx.storageRoot);
  }
}
