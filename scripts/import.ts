/**
 * npm run import -- <path> [--masks <dir>] [--labels <file.csv>] [--study-from folder|file] …
 * Imports DICOM series, NIfTI volumes or PNG/JPEG slices (with label masks and slice classes) into the database
 * named by DATABASE_URL, pixels under DATA_DIR. Exit code: 0 all imported, 1 some file failed, 2 bad arguments.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { parseCli, runCli, UsageError } from '../lib/cli/args';
import { getDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { parseWindow } from '../lib/imaging/window';
import { importPath, type ImportSummary } from '../lib/import/importPath';

const USAGE = `usage: npm run import -- <path> [options]
  <path>                     a DICOM series folder, NIfTI file(s) (.nii, .nii.gz), PNG/JPEG slices, or a folder of them
  --masks <dir>              label masks matched by base name: palette/index PNG (0 background, 1 GGO, 2 C) or
                             binary 0/255 PNG (merged lesion); NIfTI label volumes for volumes
  --labels <file.csv>        slice classes, CSV with columns file,class (else class-named folders such as COVID/)
  --study-from folder|file   2-D images: one study per folder (default) or per file
  --merged-class GGO|C       class given to lesions from binary masks (default GGO)
  --window lung|mediastinal|<width>,<level>
                             window stored for HU slices without one of their own (default lung)
  --source <name>            Study.source, which with the scan key identifies a study (default import)
Database: DATABASE_URL (default data/ctms.db); pixels: DATA_DIR (default data/).`;

const options = {
  masks: { type: 'string' },
  labels: { type: 'string' },
  'study-from': { type: 'string' },
  'merged-class': { type: 'string' },
  window: { type: 'string' },
  source: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

const argsSchema = z.object({
  masks: z.string().refine(isDir, '--masks: no such folder').optional(),
  labels: z.string().refine(isFile, '--labels: no such file').optional(),
  'study-from': z.enum(['folder', 'file'], { message: '--study-from must be folder or file' }).default('folder'),
  'merged-class': z.enum(['GGO', 'C'], { message: '--merged-class must be GGO or C' }).default('GGO'),
  window: z
    .string()
    .transform((w, ctx) => {
      try {
        return parseWindow(w);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `--window: ${(err as Error).message}` });
        return z.NEVER;
      }
    })
    .optional(),
  source: z.string().trim().min(1, '--source must not be empty').optional(),
  help: z.boolean().optional(),
});

function printSummary(s: ImportSummary, seconds: number): void {
  for (const e of s.errors) console.error(`error: ${e.file}: ${e.message}`);
  if (s.skipped.length) console.error(`skipped ${s.skipped.length} file(s) that are not CT inputs, e.g. ${s.skipped[0].file}`);
  const rate = s.slicesAdded > 0 ? ` (${(s.slicesAdded / seconds).toFixed(1)} slices/s)` : '';
  console.log(
    `imported ${s.slicesAdded} slice(s) into ${s.studies} stud${s.studies === 1 ? 'y' : 'ies'} in ${seconds.toFixed(1)} s${rate}; ` +
      `${s.slicesSkipped} already present; ${s.annotationsAdded} polygon(s); ${s.labelsAdded} slice label(s); ` +
      `${s.files} file(s), ${s.errors.length} failed`,
  );
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), options, argsSchema);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one <path> expected, got ${positionals.length}` : 'a <path> to import is required');
  const input = path.resolve(positionals[0]);
  if (!existsSync(input)) throw new UsageError(`no such file or folder: ${positionals[0]}`);

  await migrateDatabase();
  const db = getDb();
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'import |{bar}| {value}/{total} files | {file}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let barStarted = false;
  try {
    const summary = await importPath(
      db,
      input,
      {
        masksDir: values.masks,
        labelsCsv: values.labels,
        studyFrom: values['study-from'],
        mergedLesionClass: values['merged-class'],
        huWindow: values.window,
        source: values.source,
      },
      ({ done, total, file }) => {
        if (!barStarted) {
          bar.start(total, 0, { file: '' });
          barStarted = true;
        }
        bar.update(done, { file: path.basename(file) });
      },
    );
    if (barStarted) bar.stop();
    printSummary(summary, (performance.now() - started) / 1000);
    return summary.errors.length > 0 ? 1 : 0;
  } finally {
    if (barStarted) bar.stop();
    await db.$disconnect();
  }
}

runCli(main, USAGE);
