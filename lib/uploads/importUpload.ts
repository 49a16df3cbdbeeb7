/**
 * Imports from the admin console: an uploaded zip is stored under DATA_DIR/uploads/<id>, unpacked safely
 * (./unzip.ts), then imported with lib/import's importPath in the background of the app process. Progress lives in
 * memory, keyed by the import id, for the console to poll; the unpacked files are deleted once the import ends
 * (the importer has copied the pixels into the pixel store by then).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '@/lib/db/client';
import { importPath, type ImportSummary } from '@/lib/import/importPath';
import { dataDir } from '@/lib/paths';
import { extractZip, uploadError, DEFAULT_UNZIP_LIMITS, type UnzipLimits } from './unzip';

export type StudyFrom = 'folder' | 'file';

export interface UploadStatus {
  id: string;
  /** The uploaded file's name; the studies' source is `upload:<name>`. */
  name: string;
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  /** The file last finished, relative to the zip's root. */
  file: string;
  /** What was found in the zip and used. */
  masksDir: string | null;
  labelsCsv: string | null;
  /** The importer's summary once it has finished (paths relative to the zip's root). */
  summary?: ImportSummary;
  /** Per-file errors (from the summary), or why the whole import failed. */
  errors: { file: string; message: string }[];
  startedAt: string;
  finishedAt?: string;
}

export interface UploadOptions {
  importedById: string;
  studyFrom?: StudyFrom;
  /** Storage root (default DATA_DIR). */
  dataDir?: string;
  limits?: UnzipLimits;
  /** Max size of the zip (default maxUploadBytes()). */
  maxUploadBytes?: number;
}

const KEEP = 20;
// On globalThis so a dev-server reload keeps the imports it is tracking.
const state = globalThis as typeof globalThis & { __ctmsUploads?: Map<string, UploadStatus> };
const uploads = (state.__ctmsUploads ??= new Map());

export function uploadStatus(id: string): UploadStatus | undefined {
  return uploads.get(id);
}

/** The latest imports, newest first. */
export function listUploads(): UploadStatus[] {
  return [...uploads.values()].reverse();
}

/** Max size of the zip itself: CTMS_MAX_UPLOAD_MB, default 2048 MiB. */
export function maxUploadBytes(env: Record<string, string | undefined> = process.env): number {
  const mb = Number(env.CTMS_MAX_UPLOAD_MB ?? 2048);
  return (Number.isFinite(mb) && mb > 0 ? mb : 2048) * 1024 * 1024;
}

/** A name safe to show and to use as a source tag: the base name, printable, at most 120 characters. */
export function uploadName(raw: string | null | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop()!.replace(/[^\w.\- ()+]/g, '_').trim().slice(0, 120);
  return base || 'upload.zip';
}

/** Streams a request body to `file`, refusing (UploadError) once it passes `maxBytes`. */
export async function saveUploadStream(body: ReadableStream<Uint8Array> | null, file: string, maxBytes: number): Promise<number> {
  if (!body) throw uploadError('the request has no body: send the zip file as the request body');
  await fs.mkdir(path.dirname(file), { recursive: true });
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) done(uploadError(`the upload is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; split it into smaller zips`, 'too_large'));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), cap, createWriteStream(file));
  } catch (error) {
    await fs.rm(file, { force: true });
    throw error;
  }
  return size;
}

async function walk(dir: string, depth = 0): Promise<{ dirs: { p: string; depth: number }[]; files: { p: string; depth: number }[] }> {
  const out = { dirs: [] as { p: string; depth: number }[], files: [] as { p: string; depth: number }[] };
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      out.dirs.push({ p, depth });
      const inner = await walk(p, depth + 1);
      out.dirs.push(...inner.dirs);
      out.files.push(...inner.files);
    } else if (e.isFile()) out.files.push({ p, depth });
  }
  return out;
}

/**
 * The layout of an unpacked upload: the shallowest folder named `masks` (label masks, matched to images by name),
 * and `labels.csv` (else the shallowest other *.csv) with the slice classes.
 */
export async function detectLayout(root: string): Promise<{ masksDir?: string; labelsCsv?: string }> {
  const { dirs, files } = await walk(root);
  const shallowest = <T extends { depth: number }>(xs: T[]) => xs.sort((a, b) => a.depth - b.depth)[0];
  const masks = shallowest(dirs.filter((d) => path.basename(d.p).toLowerCase() === 'masks'));
  const csvs = files.filter((f) => f.p.toLowerCase().endsWith('.csv'));
  const labels = shallowest(csvs.filter((f) => path.basename(f.p).toLowerCase() === 'labels.csv')) ?? shallowest(csvs);
  return { masksDir: masks?.p, labelsCsv: labels?.p };
}

function remember(status: UploadStatus) {
  uploads.set(status.id, status);
  for (const id of uploads.keys()) {
    if (uploads.size <= KEEP) break;
    if (uploads.get(id)!.state !== 'running') uploads.delete(id);
  }
}

/**
 * Receives an uploaded zip (the request body), unpacks it (UploadError for a bad one) and starts importing it;
 * returns at once with the status to poll. One upload import runs at a time: a second is refused (409) meanwhile.
 */
export async function startUploadImport(db: Db, body: ReadableStream<Uint8Array> | null, name: string, options: UploadOptions): Promise<UploadStatus> {
  if ([...uploads.values()].some((u) => u.state === 'running')) throw uploadError('another import is still running: wait for it to finish', 'conflict');
  const zipFile = newUploadPath(options.dataDir);
  const root = path.join(path.dirname(zipFile), 'files');
  const rel = (file: string) => (path.isAbsolute(file) ? path.relative(root, file) : file);
  // Registered before the first await, so a second upload arriving meanwhile is refused rather than run alongside.
  const status: UploadStatus = {
    id: path.basename(path.dirname(zipFile)), name, state: 'running', done: 0, total: 0, file: '', errors: [], startedAt: new Date().toISOString(), masksDir: null, labelsCsv: null,
  };
  remember(status);
  let layout: Awaited<ReturnType<typeof detectLayout>>;
  try {
    await saveUploadStream(body, zipFile, options.maxUploadBytes ?? maxUploadBytes());
    await extractZip(await fs.readFile(zipFile), root, options.limits ?? DEFAULT_UNZIP_LIMITS);
    await fs.rm(zipFile, { force: true });
    layout = await detectLayout(root);
  } catch (error) {
    uploads.delete(status.id);
    await fs.rm(path.dirname(zipFile), { recursive: true, force: true });
    throw error;
  }
  const { masksDir, labelsCsv } = layout;
  Object.assign(status, { masksDir: masksDir ? rel(masksDir) : null, labelsCsv: labelsCsv ? rel(labelsCsv) : null });

  void (async () => {
    let outcome: Partial<UploadStatus>;
    try {
      const summary = await importPath(
        db,
        root,
        { masksDir, labelsCsv, studyFrom: options.studyFrom ?? 'folder', source: `upload:${name}`, keyRoot: root, importedById: options.importedById, dataDir: options.dataDir },
        (p) => Object.assign(status, { done: p.done, total: p.total, file: rel(p.file) }),
      );
      const errors = summary.errors.map((e) => ({ file: rel(e.file), message: e.message }));
      outcome = { state: 'done', summary: { ...summary, errors, skipped: summary.skipped.map((s) => ({ ...s, file: rel(s.file) })) }, errors, total: summary.files, done: summary.files };
    } catch (error) {
      outcome = { state: 'failed', errors: [...status.errors, { file: rel((error as { file?: string }).file ?? ''), message: (error as Error).message }] };
    }
    // Clean up before reporting the end, so "done" means nothing of the upload is left on disk.
    await fs.rm(path.dirname(zipFile), { recursive: true, force: true }).catch(() => undefined);
    Object.assign(status, outcome, { finishedAt: new Date().toISOString() });
  })();
  return status;
}

/** A fresh folder DATA_DIR/uploads/<id> and the path the zip is saved to in it. */
function newUploadPath(root: string = dataDir()): string {
  return path.join(root, 'uploads', randomUUID(), 'upload.zip');
}
