/**
 * Importing chosen series from a DICOMweb server: each series is retrieved with WADO-RS into a scratch folder, then
 * imported by the project's importer (lib/import/importPath.ts: the same validation, ordering, HU rescale and
 * idempotency as a file import) with `wholeSeries`, so a series is stored whole or not at all.
 *
 * A failed series (server down or slow, an HTML answer, a truncated body, a transfer syntax the app cannot decode)
 * is reported with its reason and leaves nothing behind; the others go on. A series already imported from the same
 * server is skipped without downloading it again, which makes a re-run resume where the last one stopped.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { importPath } from '@/lib/import/importPath';
import { DicomWebClient, DicomWebError, type DicomWebEndpoint } from './client';
import { dicomWebSource } from './servers';

const uid = z.string().trim().regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID is digits and dots').max(64);

export const seriesRefSchema = z.object({
  studyInstanceUid: uid,
  seriesInstanceUid: uid,
  /** Shown in logs and errors (e.g. the series description). */
  label: z.string().max(200).optional(),
});
export type SeriesRef = z.infer<typeof seriesRefSchema>;

export const dicomWebImportConfigSchema = z.object({
  serverId: z.string().min(1).max(64),
  series: z.array(seriesRefSchema).min(1, 'choose at least one series').max(1000),
});
export type DicomWebImportConfig = z.infer<typeof dicomWebImportConfigSchema>;

export type SeriesOutcome =
  | { series: SeriesRef; state: 'imported'; studyId: string; slicesAdded: number; slicesSkipped: number }
  | { series: SeriesRef; state: 'already-imported'; studyId: string }
  | { series: SeriesRef; state: 'failed'; reason: string; transient: boolean };

export interface ImportSeriesOptions {
  /** Scratch space for downloads (emptied per series). */
  workDir: string;
  importedById?: string;
  /** Pixel storage root (default DATA_DIR). */
  dataDir?: string;
  signal?: AbortSignal;
  log?: (line: string) => Promise<void> | void;
  /** After each series and every few instances: series done, series total, what is happening. */
  progress?: (done: number, total: number, message: string) => Promise<void> | void;
}

export const seriesName = (s: SeriesRef) => `series ${s.seriesInstanceUid}${s.label ? ` (${s.label})` : ''}`;

export async function importSeriesFromServer(db: Db, server: DicomWebEndpoint & { id: string }, series: SeriesRef[], options: ImportSeriesOptions): Promise<SeriesOutcome[]> {
  const client = new DicomWebClient(server);
  const source = dicomWebSource(server.id);
  const log = async (line: string) => void (await options.log?.(line));
  const outcomes: SeriesOutcome[] = [];
  for (const [k, ref] of series.entries()) {
    options.signal?.throwIfAborted();
    const name = seriesName(ref);
    await options.progress?.(k, series.length, `${name}: starting`);
    const existing = await db.study.findUnique({ where: { source_scanKey: { source, scanKey: ref.seriesInstanceUid } }, select: { id: true } });
    if (existing) {
      await log(`${name}: already imported from this server (study ${existing.id}); skipped`);
      outcomes.push({ series: ref, state: 'already-imported', studyId: existing.id });
      continue;
    }
    const outcome = await importOne(db, client, source, ref, k, series.length, options);
    outcomes.push(outcome);
    if (outcome.state === 'imported') await log(`${name}: imported, ${outcome.slicesAdded} slices added${outcome.slicesSkipped ? `, ${outcome.slicesSkipped} already present` : ''}`);
    if (outcome.state === 'failed') await log(`${name}: FAILED: ${outcome.reason}`);
  }
  await options.progress?.(series.length, series.length, 'done');
  return outcomes;
}

async function importOne(db: Db, client: DicomWebClient, source: string, ref: SeriesRef, k: number, total: number, options: ImportSeriesOptions): Promise<SeriesOutcome> {
  const dir = path.join(options.workDir, ref.seriesInstanceUid);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  try {
    const count = await client.retrieveSeries(
      ref.studyInstanceUid,
      ref.seriesInstanceUid,
      async (bytes, i) => {
        await fs.writeFile(path.join(dir, `${String(i + 1).padStart(6, '0')}.dcm`), bytes);
        if ((i + 1) % 10 === 0) await options.progress?.(k, total, `${seriesName(ref)}: ${i + 1} instances received`);
      },
      options.signal,
    );
    if (count === 0) return failed(ref, 'the server sent no instances for this series', false);
    const summary = await importPath(db, dir, { source, keyRoot: options.workDir, importedById: options.importedById, dataDir: options.dataDir, wholeSeries: true });
    if (summary.errors.length > 0) {
      // One line per distinct reason keeps a 300-slice series with one problem readable.
      const reasons = [...new Set(summary.errors.map((e) => e.message))];
      const files = summary.errors.filter((e) => !e.message.startsWith('series ')).length;
      return failed(ref, `${files} of ${count} instances could not be imported: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? ` (and ${reasons.length - 3} more reasons)` : ''}`, false);
    }
    const study = await db.study.findUnique({ where: { source_scanKey: { source, scanKey: ref.seriesInstanceUid } }, select: { id: true } });
    if (!study) return failed(ref, `the instances the server sent belong to another series than ${ref.seriesInstanceUid}`, false);
    return { series: ref, state: 'imported', studyId: study.id, slicesAdded: summary.slicesAdded, slicesSkipped: summary.slicesSkipped };
  } catch (err) {
    if (options.signal?.aborted) throw err;
    if (err instanceof DicomWebError) return failed(ref, err.message, err.transient);
    return failed(ref, err instanceof Error ? err.message : String(err), false);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const failed = (series: SeriesRef, reason: string, transient: boolean): SeriesOutcome => ({ series, state: 'failed', reason, transient });
