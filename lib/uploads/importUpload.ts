/**
 * Imports from the admin console. The web process only receives: the zip (the request body) is streamed to
 * DATA_DIR/uploads/<id>/upload.zip within the upload limit, checked to be a zip, and handed to the worker as an
 * `import` job (lib/jobs/handlers/import.ts), which unpacks it safely (./unzip.ts) and imports it with progress.
 * The console polls the job through GET /api/imports/{id}; one import runs at a time (the job's exclusive key).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { isDomainError } from '@/lib/errors';
import type { ImportSummary } from '@/lib/import/importPath';
import { enqueueJob } from '@/lib/jobs/service';
import type { JobQueue } from '@/lib/jobs/queue';
import { dataDir } from '@/lib/paths';
import { looksLikeZip, uploadError } from './unzip';

export type StudyFrom = 'folder' | 'file';

export interface UploadStatus {
  /** The import job's id. */
  id: string;
  /** The uploaded file's name; the studies' source is `upload:<name>`. */
  name: string;
  state: 'running' | 'done' | 'failed';
  /** 'queued', 'unpacking', 'importing' while running. */
  phase: string;
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

/** The import job's config: where the upload lies and how to import it. */
export const importJobConfigSchema = z.object({
  uploadId: z.uuid(),
  name: z.string().min(1).max(120),
  studyFrom: z.enum(['folder', 'file']).default('folder'),
  importedById: z.string().min(1).max(64).nullable().default(null),
});
export type ImportJobConfig = z.infer<typeof importJobConfigSchema>;

export interface UploadOptions {
  importedById: string;
  studyFrom?: StudyFrom;
  /** Storage root (default DATA_DIR). */
  dataDir?: string;
  /** Max size of the zip (default maxUploadBytes()). */
  maxUploadBytes?: number;
  queue?: JobQueue;
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

/** The folder of one upload: the zip and, while the job runs, its unpacked files. */
export const uploadDir = (uploadId: string, root: string = dataDir()) => path.join(root, 'uploads', uploadId);

/** Streams a request body to `file`, refusing (too_large) once it passes `maxBytes`. */
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

/**
 * Receives an uploaded zip and queues its import; returns at once with the status to poll. Refused: a non-zip
 * (invalid), one over the size limit (too_large), and any upload while another import is queued or running
 * (conflict). Nothing is left on disk when it is refused.
 */
export async function startUploadImport(db: Db, body: ReadableStream<Uint8Array> | null, name: string, options: UploadOptions): Promise<UploadStatus> {
  const uploadId = randomUUID();
  const dir = uploadDir(uploadId, options.dataDir);
  try {
    const zipFile = path.join(dir, 'upload.zip');
    await saveUploadStream(body, zipFile, options.maxUploadBytes ?? maxUploadBytes());
    const head = Buffer.alloc(4);
    const handle = await fs.open(zipFile, 'r');
    await handle.read(head, 0, 4, 0).finally(() => handle.close());
    if (!looksLikeZip(head)) throw uploadError('the upload is not a zip archive: send a .zip of DICOM, NIfTI or PNG/JPEG files');
    const config: ImportJobConfig = { uploadId, name, studyFrom: options.studyFrom ?? 'folder', importedById: options.importedById };
    // The exclusive key makes "one import at a time" atomic across app servers.
    const job = await enqueueJob(db, { type: 'import', config, createdById: options.importedById, modelKind: 'import', maxAttempts: 2 }, options.queue).catch((error: unknown) => {
      throw isDomainError(error, 'conflict') ? uploadError('another import is still running: wait for it to finish', 'conflict') : error;
    });
    return statusOf(job);
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

type JobRow = { id: string; status: string; config: unknown; progress: unknown; error: string | null; createdAt: Date; finishedAt: Date | null };

/** An import job as the console shows it. */
export function statusOf(job: JobRow): UploadStatus {
  const config = job.config as Partial<ImportJobConfig>;
  const progress = (job.progress ?? {}) as { step?: number; totalSteps?: number; message?: string; detail?: Record<string, unknown> };
  const detail = (progress.detail ?? {}) as { phase?: string; masksDir?: string | null; labelsCsv?: string | null; summary?: ImportSummary; errors?: UploadStatus['errors'] };
  const state = job.status === 'SUCCEEDED' ? 'done' : job.status === 'FAILED' || job.status === 'CANCELLED' ? 'failed' : 'running';
  const errors = detail.errors ?? [];
  return {
    id: job.id,
    name: config.name ?? 'upload.zip',
    state,
    phase: job.status === 'QUEUED' ? 'queued' : (detail.phase ?? 'unpacking'),
    done: progress.step ?? 0,
    total: progress.totalSteps ?? 0,
    file: progress.message ?? '',
    masksDir: detail.masksDir ?? null,
    labelsCsv: detail.labelsCsv ?? null,
    summary: detail.summary,
    errors: state === 'failed' && job.error && !errors.some((e) => e.message === job.error) ? [...errors, { file: '', message: job.error }] : errors,
    startedAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString(),
  };
}

const jobFields = { id: true, status: true, config: true, progress: true, error: true, createdAt: true, finishedAt: true } as const;

export async function uploadStatus(db: Db, id: string): Promise<UploadStatus | null> {
  const job = await db.job.findFirst({ where: { id, type: 'import' }, select: jobFields });
  return job ? statusOf(job) : null;
}

/** The latest imports, newest first. */
export async function listUploads(db: Db, take = 20): Promise<UploadStatus[]> {
  return (await db.job.findMany({ where: { type: 'import' }, orderBy: { createdAt: 'desc' }, take, select: jobFields })).map(statusOf);
}
