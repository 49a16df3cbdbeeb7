/**
 * Importing CT data into the database: `importPath(db, inputPath, options, onProgress)`.
 *
 * 1. Discover inputs under the path (DICOM files, NIfTI volumes, PNG/JPEG slices), masks (`masksDir`, matched by
 *    base name) and slice classes (`labelsCsv`, else class-named parent folders), stored under their canonical
 *    names (the admin's class aliases, lib/classes/aliases.ts: a `COVID-19` folder imports as `COVID`).
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
import { classResolver, knownClassNames } from '@/lib/classes/aliases';
import { getClassAliases } from '@/lib/classes/aliasSettings';
import type { Db } from '@/lib/db/client';
import { DEFAULT_CONTOUR_OPTIONS, labelMapToPolygons, type ContourOptions, type LesionClass, type LesionPolygon } from '@/lib/imaging/contours';
import { dataDir, deletePixels, type PixelImage, writePixels } from '@/lib/imaging/pixelStore';
import { orderSeries, readDicomFile, readDicomHeader, type DicomHeader } from '@/lib/imaging/readers/dicom';
import { readGreyImage } from '@/lib/imaging/readers/image';
import { ImportError } from '@/lib/imaging/readers/importError';
import { readLabelMask, type LabelMask, type MaskMode } from '@/lib/imaging/readers/mask';
import { readNiftiFile } from '@/lib/imaging/readers/nifti';
import { insertImportedSlices, type ImportedSlice } from '@/lib/slices/sliceTransaction';
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
  /** Folder names taken as slice classes when no CSV is given (default: the usual ones and every name the class aliases know). */
  classFolders?: readonly string[];
  contour?: ContourOptions;
  /**
   * DICOM all or nothing: a series is imported only when every DICOM file under the path reads and decodes; else
   * its files are reported and nothing of it is written. For sources where a gap means a broken download (a
   * DICOMweb retrieve), not a stray file.
   */
  wholeSeries?: boolean;
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

/** A prepared slice whose pixels are on disk. */
interface StoredSlice {
  slice: PreparedSlice;
  path: string;
  hash: string;
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
  /** Folder names taken as slice classes. */
  classFolders: readonly string[];
  /** The stored name of a slice class (its canonical name under the class aliases). */
  canonicalClass: (className: string) => string;
  summary: ImportSummary;
  studyIds: Set<string>;
  /** Per-run cache of listImages(folder). */
  folderImages: Map<string, Promise<string[]>>;
  /** Study ids by scanKey, once committed in this run (saves the upsert for every image of a folder study). */
  studyByKey: Map<string, string>;
  /** Pixel paths of units stored but not yet committed (the one being read ahead): never cleaned up as orphans. */
  inFlight: Map<string, number>;
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
  const aliases = await getClassAliases(db);
  const classFolders = options.classFolders ?? [...new Set([...DEFAULT_CLASS_FOLDERS, ...knownClassNames(aliases)])];
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
  const ctx: Context = { db, options, root: found.root, storageRoot: options.dataDir ?? dataDir(), masks, labels, classFolders, canonicalClass: classResolver(aliases), summary, studyIds: new Set(), folderImages: new Map(), studyByKey: new Map(), inFlight: new Map() };
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
  const unreadable = found.dicom.length - headers.length;
  const jobs: { file: string; files: string[]; prepare: () => Promise<Prepared> }[] = [
    ...groupSeries(headers).map(({ ordered, by }) => ({
      file: ordered[0].file,
      files: ordered.map((h) => h.file),
      prepare: async () => wholeSeriesOnly(ctx, await prepareDicomSeries(ctx, ordered, by), ordered, unreadable),
    })),
    ...found.nifti.map((file) => ({ file, files: [file], prepare: async () => single(file, await prepareNifti(ctx, file)) })),
    ...found.images.map((file) => ({ file, files: [file], prepare: async () => single(file, await prepareImage(ctx, file)) })),
  ];
  // Reading/decoding the next unit overlaps with writing the current one (one unit ahead, to bound memory);
  // results are consumed in order, so errors and progress come out in file order.
  const settle = (job: (typeof jobs)[number]): Promise<Prepared> =>
    job.prepare().then(
      async (p) => {
        if (!p.unit) return p;
        try {
          return { ...p, stored: await storePixels(ctx, p.unit) };
        } catch (err) {
          return { ...p, unit: null, failures: [...p.failures, { file: p.unit.file, err }] };
        }
      },
      (err) => ({ unit: null, failures: [{ file: job.file, err }], files: job.files }),
    );
  let next = jobs.length > 0 ? settle(jobs[0]) : undefined;
  for (let i = 0; i < jobs.length; i++) {
    const current = await next!;
    next = i + 1 < jobs.length ? settle(jobs[i + 1]) : undefined;
    for (const f of current.failures) recordError(ctx, f.file, f.err);
    if (current.unit && current.stored) {
      const { slices, created } = current.stored;
      try {
        if (slices.length > 0) await commitUnit(ctx, current.unit, slices);
        release(ctx, slices);
      } catch (err) {
        release(ctx, slices);
        await removeOrphans(ctx, created);
        recordError(ctx, current.unit.file, err);
      }
    }
    for (const f of current.files) progress(f);
  }
  summary.studies = ctx.studyIds.size;
  return summary;
}

/** A prepared unit, with the files it covered (for progress) and those that failed on the way. */
interface Prepared {
  unit: Unit | null;
  failures: { file: string; err: unknown }[];
  files: string[];
  /** Filled in by storePixels. */
  stored?: { slices: StoredSlice[]; created: string[] };
}

const single = (file: string, unit: Unit): Prepared => ({ unit, failures: [], files: [file] });

function recordError(ctx: Context, file: string, err: unknown): void {
  const message = err instanceof ImportError ? err.reason : err instanceof Error ? err.message : String(err);
  ctx.summary.errors.push({ file: err instanceof ImportError ? err.file : file, message });
}

// ---------------------------------------------------------------- keys, masks, classes

function keyOf(ctx: Context, p: string): string {
  return ctx.options.keyRoot ? path.relative(ctx.options.keyRoot, p).split(path.sep).join('/') : p;
}

function sliceClass(ctx: Context, file: string, extraKeys: string[] = []): string | undefined {
  const named = ctx.labels
    ? classFromCsv(ctx.labels, file, [ctx.root, path.dirname(path.resolve(ctx.options.labelsCsv!))], extraKeys)
    : classFromFolder(file, ctx.classFolders);
  return named === undefined ? undefined : ctx.canonicalClass(named);
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

/** With options.wholeSeries: a series with any failed file (or an unreadable file beside it) is dropped whole. */
function wholeSeriesOnly(ctx: Context, prepared: Prepared, series: DicomHeader[], unreadable: number): Prepared {
  const failed = prepared.failures.length + unreadable;
  if (!ctx.options.wholeSeries || failed === 0 || !prepared.unit) return prepared;
  const first = series[0];
  const reason = `series ${first.seriesInstanceUid ?? path.dirname(first.file)} not imported: ${failed} of ${series.length + unreadable} files failed, and a series is imported whole or not at all`;
  return { ...prepared, unit: null, failures: [...prepared.failures, { file: first.file, err: new ImportError(first.file, reason) }] };
}

/** DICOM headers grouped by SeriesInstanceUID (files without one form a series per folder), each ordered. */
function groupSeries(headers: DicomHeader[]): ReturnType<typeof orderSeries<DicomHeader>>[] {
  const groups = new Map<string, DicomHeader[]>();
  for (const h of headers) {
    const key = h.seriesInstanceUid ?? `folder:${path.dirname(h.file)}`;
    const group = groups.get(key);
    if (group) group.push(h);
    else groups.set(key, [h]);
  }
  return [...groups.values()].map((g) => orderSeries(g));
}

/** Decodes the series' slices one by one; a file that fails is reported and left out, the rest go on. */
async function prepareDicomSeries(ctx: Context, series: DicomHeader[], by: string): Promise<Prepared> {
  const failures: Prepared['failures'] = [];
  const first = series[0];
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
      failures.push({ file, err });
    }
  }
  const files = series.map((h) => h.file);
  if (slices.length === 0) return { unit: null, failures, files };
  const unit: Unit = {
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
      rescale: first.rescale,
      frameOfReferenceUid: first.frameOfReferenceUid ?? null,
      files: series.map((h) => keyOf(ctx, h.file)),
      // Per Slice.index: what a derived object (DICOM-SEG, NIfTI geometry) needs to point back at the source.
      instances: series.map((h) => ({ sopInstanceUid: h.sopInstanceUid ?? null, sopClassUid: h.sopClassUid ?? null, imagePosition: h.imagePosition ?? null })),
      patient: { id: first.patientId ?? null, name: first.patientName ?? null, birthDate: first.patientBirthDate ?? null, sex: first.patientSex ?? null },
      study: {
        date: first.studyDate ?? null,
        time: first.studyTime ?? null,
        id: first.studyId ?? null,
        accessionNumber: first.accessionNumber ?? null,
        referringPhysicianName: first.referringPhysicianName ?? null,
        description: first.studyDescription ?? null,
      },
    },
    file: first.file,
    slices,
  };
  return { unit, failures, files };
}

// ---------------------------------------------------------------- writing a unit

/**
 * Writes the unit's pixel files (identical content is stored once). When a write fails, the files this unit
 * created so far are removed again before the error goes on.
 */
async function storePixels(ctx: Context, unit: Unit): Promise<{ slices: StoredSlice[]; created: string[] }> {
  const created: string[] = [];
  const slices: StoredSlice[] = [];
  try {
    for (const slice of unit.slices) {
      const s = await writePixels(slice.image, ctx.storageRoot);
      if (s.created) created.push(s.path);
      slices.push({ slice, path: s.path, hash: s.contentHash });
      ctx.inFlight.set(s.path, (ctx.inFlight.get(s.path) ?? 0) + 1);
    }
  } catch (err) {
    release(ctx, slices);
    await removeOrphans(ctx, created);
    throw new ImportError(unit.file, `cannot store pixels under ${ctx.storageRoot}: ${(err as Error).message}`, { cause: err });
  }
  return { slices, created };
}

/** One transaction: the study (upserted), its new slices, their polygons and labels. Throws without writing on conflict. */
async function commitUnit(ctx: Context, unit: Unit, stored: StoredSlice[]): Promise<void> {
  const { db, options } = ctx;
  const source = options.source ?? 'import';
  try {
    const counts = await db.$transaction(
      async (tx) => {
        const n = { studyId: '', added: 0, skipped: 0, annotations: 0, labels: 0 };
        const known = ctx.studyByKey.get(unit.scanKey);
        const study = known ? { id: known } : await tx.study.upsert({
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
        const existing = new Map(
          (
            await tx.slice.findMany({
              where: { studyId: study.id, index: { in: stored.map((x) => x.slice.index) } },
              select: { index: true, contentHash: true, sourceFile: true },
            })
          ).map((e) => [e.index, e]),
        );
        // Written in bulk by the slice-write protocol (one createMany per table: a volume is hundreds of slices and
        // thousands of polygons, and per-row round trips dominated the import time).
        const fresh: ImportedSlice[] = [];
        for (const { slice, path: pixelPath, hash } of stored) {
          const before = existing.get(slice.index);
          if (before) {
            if (before.contentHash === hash) {
              n.skipped++;
              continue;
            }
            throw new ImportError(
              slice.file,
              `slice ${slice.index} of study ${unit.scanKey} already holds different pixels (imported from ${before.sourceFile}); ` +
                `import changed files under another source (options.source / --source) or delete the study first`,
            );
          }
          fresh.push({
            row: {
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
            },
            polygons: slice.polygons,
            className: slice.className,
          });
        }
        const written = await insertImportedSlices(tx, fresh, options.importedById ?? null);
        Object.assign(n, { added: written.slices, annotations: written.annotations, labels: written.labels });
        return n;
      },
      // A large volume is thousands of inserts: allow more than Prisma's 5 s default.
      { timeout: 10 * 60_000, maxWait: 60_000 },
    );
    ctx.studyIds.add(counts.studyId);
    ctx.studyByKey.set(unit.scanKey, counts.studyId);
    ctx.summary.slicesAdded += counts.added;
    ctx.summary.slicesSkipped += counts.skipped;
    ctx.summary.annotationsAdded += counts.annotations;
    ctx.summary.labelsAdded += counts.labels;
  } catch (err) {
    throw err instanceof ImportError ? err : new ImportError(unit.file, `database write failed: ${(err as Error).message}`, { cause: err });
  }
}

function release(ctx: Context, slices: StoredSlice[]): void {
  for (const { path: p } of slices) {
    const left = (ctx.inFlight.get(p) ?? 1) - 1;
    if (left > 0) ctx.inFlight.set(p, left);
    else ctx.inFlight.delete(p);
  }
}

/**
 * Deletes pixel files a failed unit created, unless a slice references the same content (an identical image from
 * elsewhere) or a unit still on its way to the database does.
 */
async function removeOrphans(ctx: Context, created: string[]): Promise<void> {
  for (const p of new Set(created)) {
    if (ctx.inFlight.has(p)) continue;
    const refs = await ctx.db.slice.count({ where: { pixelPath: p } }).catch(() => 1);
    if (refs === 0) await deletePixels(p, ctx.storageRoot);
  }
}
