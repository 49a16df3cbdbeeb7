/**
 * import: an upload from the admin console, unpacked and imported by the worker, never by the web process. The zip
 * (received by lib/uploads/importUpload.ts) is extracted within the unzip limits (lib/uploads/unzip.ts), its
 * layout detected (masks/, labels.csv), and imported with lib/import's importPath; progress goes to the job row for
 * the console. The upload's folder is removed at the end, whatever the outcome. A retried job (its worker died)
 * unpacks again; re-importing what was already committed adds nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isDomainError } from '@/lib/errors';
import { importPath } from '@/lib/import/importPath';
import { importJobConfigSchema, uploadDir, type ImportJobConfig } from '@/lib/uploads/importUpload';
import { detectLayout } from '@/lib/uploads/layout';
import { extractZip } from '@/lib/uploads/unzip';
import { defineJobType, PermanentJobError, type JobContext, type JobOutcome } from '../types';

async function runImport(ctx: JobContext, cfg: ImportJobConfig): Promise<JobOutcome> {
  const dir = uploadDir(cfg.uploadId);
  const root = path.join(dir, 'files');
  const rel = (file: string) => (path.isAbsolute(file) ? path.relative(root, file) : file);
  try {
    await fs.rm(root, { recursive: true, force: true });
    try {
      await extractZip(path.join(dir, 'upload.zip'), root, undefined, (done, total) => void ctx.progress({ step: 0, totalSteps: 0, message: `unpacked ${done} of ${total} files`, detail: { phase: 'unpacking' } }));
    } catch (error) {
      // What is wrong with the zip will be wrong on every attempt.
      if (isDomainError(error)) throw new PermanentJobError(error.message);
      throw error;
    }
    const { masksDir, labelsCsv } = await detectLayout(root);
    const layout = { masksDir: masksDir ? rel(masksDir) : null, labelsCsv: labelsCsv ? rel(labelsCsv) : null };
    let last = 0;
    const summary = await importPath(
      ctx.db,
      root,
      { masksDir, labelsCsv, studyFrom: cfg.studyFrom, source: `upload:${cfg.name}`, keyRoot: root, importedById: cfg.importedById ?? undefined },
      (p) => {
        // One progress write at a time is enough for the console; the last one always goes.
        if (p.done !== p.total && Date.now() - last < 250) return;
        last = Date.now();
        void ctx.progress({ step: p.done, totalSteps: p.total, message: rel(p.file), detail: { phase: 'importing', ...layout } });
      },
    );
    const errors = summary.errors.map((e) => ({ file: rel(e.file), message: e.message }));
    const result = { ...summary, errors, skipped: summary.skipped.map((s) => ({ ...s, file: rel(s.file) })) };
    await ctx.progress({ step: summary.files, totalSteps: summary.files, message: '', detail: { phase: 'done', ...layout, summary: result, errors } });
    return { message: `imported ${cfg.name}: ${summary.slicesAdded} slices added, ${summary.slicesSkipped} already present, ${errors.length} files with errors` };
  } finally {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export const importJob = defineJobType({
  name: 'import',
  description: "Unpacks a zip uploaded in the admin console and imports its images, masks and slice classes.",
  configSchema: importJobConfigSchema,
  run: runImport,
});
