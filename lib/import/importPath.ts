/**
 * Importing CT data into the database: `importPath(db, inputPath, options, onProgress)`.
 *
 * 1. Discover inputs under the path (DICOM files, NIfTI volumes, PNG/JPEG slices), masks (`masksDir`, matched by
 *    base name) and slice classes (`labelsCsv`, else class-named parent folders), stored under their canonical
 *    names (the admin's class aliases, lib/classes/aliases.ts: a `COVID-19` folder imports as `COVID`).
 * 2. One adapter per format (adapters/) turns its files into import units, one database transaction each: a DICOM
 *    series (by SeriesInstanceUID, ordered most cranial first), a NIfTI file, or one 2-D image (whose study is its
 *    folder or itself, `studyFrom`). A bad file is reported with its name and left out.
 * 3. Per unit: its pixels are stored as a pixel batch (pixelBatch.ts: content-addressed, so an identical image is
 *    stored once), then one transaction (commitUnit.ts) upserts the Study and adds Slices, IMPORTED/ACCEPTED
 *    Annotations with their CREATE revision, and SliceLabels. When the transaction fails, nothing of the unit
 *    stays: the database rolls back and so does the pixel batch.
 * The next unit is read and stored while the current one is written (readAhead.ts, one unit ahead to bound
 * memory); results are handled in input order, so errors and progress come out in file order.
 */
import { classResolver, knownClassNames } from '@/lib/classes/aliases';
import { getClassAliases } from '@/lib/classes/aliasSettings';
import type { Db } from '@/lib/db/client';
import { dataDir } from '@/lib/imaging/pixelStore';
import { readDicomHeader, type DicomHeader } from '@/lib/imaging/readers/dicom';
import { ImportError } from '@/lib/imaging/readers/importError';
import { createAdapterContext } from './adapters/context';
import { dicomSeriesUnit, groupSeries, wholeSeriesOnly } from './adapters/dicom';
import { imageUnit } from './adapters/image';
import { niftiUnit } from './adapters/nifti';
import { commitUnit } from './commitUnit';
import { discoverInputs, indexMasks } from './discover';
import { pixelBatches, type PixelBatch } from './pixelBatch';
import { readAhead } from './readAhead';
import { DEFAULT_CLASS_FOLDERS, readLabelsCsv } from './sliceClasses';
import type { ImportOptions, ImportProgress, ImportSummary, PreparedUnit } from './types';

export { ImportError } from '@/lib/imaging/readers/importError';
export type { ImportOptions, ImportProgress, ImportSummary } from './types';

/** One unit's work before its transaction: what the adapter made of its files, and its stored pixels. */
interface ReadUnit extends PreparedUnit {
  pixels?: PixelBatch;
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
  const ctx = createAdapterContext({ options, root: found.root, masks, labels, classFolders, canonicalClass: classResolver(aliases) });
  const storageRoot = options.dataDir ?? dataDir();
  const batches = pixelBatches(db, storageRoot);
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
  const recordError = (file: string, err: unknown) => {
    const message = err instanceof ImportError ? err.reason : err instanceof Error ? err.message : String(err);
    summary.errors.push({ file: err instanceof ImportError ? err.file : file, message });
  };
  let done = 0;
  const progress = (file: string) => onProgress?.({ done: ++done, total: summary.files, file });

  // DICOM: headers first, to group series and order them without holding every slice's pixels.
  const headers: DicomHeader[] = [];
  for (const file of found.dicom) {
    try {
      headers.push(await readDicomHeader(file));
    } catch (err) {
      recordError(file, err);
      progress(file);
    }
  }
  const unreadable = found.dicom.length - headers.length;
  const single = (file: string, read: () => Promise<PreparedUnit['unit']>) => ({ file, files: [file], read: async (): Promise<PreparedUnit> => ({ unit: await read(), failures: [], files: [file] }) });
  const units: { file: string; files: string[]; read: () => Promise<PreparedUnit> }[] = [
    ...groupSeries(headers).map(({ ordered, by }) => ({
      file: ordered[0].file,
      files: ordered.map((h) => h.file),
      read: async () => wholeSeriesOnly(ctx, await dicomSeriesUnit(ctx, ordered, by), ordered, unreadable),
    })),
    ...found.nifti.map((file) => single(file, () => niftiUnit(ctx, file))),
    ...found.images.map((file) => single(file, () => imageUnit(ctx, file))),
  ];

  // Never rejects: whatever fails is carried to the loop below, which reports it in order.
  const readAndStore = (u: (typeof units)[number]): Promise<ReadUnit> =>
    u.read().then(
      async (p): Promise<ReadUnit> => {
        if (!p.unit) return p;
        try {
          return { ...p, pixels: await batches.store(p.unit.slices.map((s) => s.image)) };
        } catch (err) {
          const stored = new ImportError(p.unit.file, `cannot store pixels under ${storageRoot}: ${(err as Error).message}`, { cause: err });
          return { ...p, unit: null, failures: [...p.failures, { file: p.unit.file, err: stored }] };
        }
      },
      (err) => ({ unit: null, failures: [{ file: u.file, err }], files: u.files }),
    );

  const studyIds = new Set<string>();
  /** Study ids by scan key, once committed in this run. */
  const studyByKey = new Map<string, string>();
  for await (const current of readAhead(units, readAndStore)) {
    for (const f of current.failures) recordError(f.file, f.err);
    const { unit, pixels } = current;
    if (unit && pixels) {
      try {
        if (unit.slices.length === 0) await pixels.rollback();
        else {
          const counts = await pixels.commit(() => commitUnit(db, unit, pixels.files, { options, keyOf: ctx.keyOf, knownStudyId: studyByKey.get(unit.scanKey) }));
          studyIds.add(counts.studyId);
          studyByKey.set(unit.scanKey, counts.studyId);
          summary.slicesAdded += counts.added;
          summary.slicesSkipped += counts.skipped;
          summary.annotationsAdded += counts.annotations;
          summary.labelsAdded += counts.labels;
        }
      } catch (err) {
        recordError(unit.file, err);
      }
    }
    for (const f of current.files) progress(f);
  }
  summary.studies = studyIds.size;
  return summary;
}
