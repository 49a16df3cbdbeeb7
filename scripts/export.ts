/**
 * npm run export -- --format coco|masks|csv|nifti|dicom-seg --out <dir> [--status accepted|all] [--study <id>] [--stow]
 * Writes the annotations of DATABASE_URL (pixels from DATA_DIR) as COCO JSON, PNG label masks with their images and
 * labels.csv (a folder `npm run import` reads back), a CSV of slice classes, or per study a NIfTI label volume with its
 * image volume, or a DICOM-SEG (which --stow also sends to the DICOMweb server the series came from).
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { parseCli, runCli } from '../lib/cli/args';
import { getDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { stowStudies } from '../lib/dicomweb/stow';
import { EXPORT_FORMATS, writeExport } from '../lib/export/write';

const USAGE = `usage: npm run export -- --format coco|masks|csv|nifti|dicom-seg --out <dir> [--status accepted|all] [--study <id>] [--stow]
  --format coco       annotations.json: COCO polygons, categories GGO/C, slice class as an image attribute
  --format masks      images/ and masks/ (PNG, 0 background, 1 GGO, 2 C) and labels.csv, re-importable with npm run import
  --format csv        slice-classes.csv
  --format nifti      per study: images/<case>.nii.gz (HU) and labels/<case>.nii.gz (0 background, 1 GGO, 2 C),
                      orientation and spacing of the source series; re-importable with npm run import -- images --masks labels
  --format dicom-seg  per DICOM study: <case>.seg.dcm, one segment per class, referencing the source instances
  --status            accepted (default): labels of reviewed slices only; all: every slice
  --study <id>        one study only
  --stow              dicom-seg: also store each SEG on the DICOMweb server its series was imported from (STOW-RS)`;

const options = {
  format: { type: 'string' },
  out: { type: 'string' },
  status: { type: 'string' },
  study: { type: 'string' },
  stow: { type: 'boolean' },
} as const;

const argsSchema = z.object({
  format: z.enum(EXPORT_FORMATS, { message: `--format must be one of ${EXPORT_FORMATS.join(', ')}` }),
  out: z.string({ message: '--out <dir> is required' }).min(1),
  status: z.enum(['accepted', 'all'], { message: '--status must be accepted or all' }).default('accepted'),
  study: z.string().min(1).optional(),
  stow: z.boolean().default(false),
}).refine((a) => !a.stow || a.format === 'dicom-seg', { message: '--stow sends DICOM-SEG objects: use it with --format dicom-seg' });

async function main(): Promise<number> {
  const { values } = parseCli(process.argv.slice(2), options, argsSchema, false);
  await migrateDatabase();
  const db = getDb();
  const bar = new cliProgress.SingleBar({ format: 'export [{bar}] {value}/{total} slices', stream: process.stderr }, cliProgress.Presets.shades_classic);
  let started = false;
  try {
    const result = await writeExport(db, values.format, path.resolve(values.out), { status: values.status, studyId: values.study }, (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    });
    if (started) bar.stop();
    console.log(`exported ${result.slices} slices and ${result.polygons} polygons as ${values.format} to ${path.resolve(values.out)} (${result.files.length} files)`);
    for (const s of result.skipped ?? []) console.log(`skipped ${s.study}: ${s.reason}`);
    if (values.stow) {
      let failed = 0;
      for (const s of await stowStudies(db, { status: values.status, studyId: values.study })) {
        if (s.ok) console.log(`stored ${s.study} on ${s.server}: SEG ${s.sopInstanceUid}`);
        else console.error(`could not store ${s.study}: ${s.error}`);
        if (!s.ok) failed++;
      }
      return failed ? 1 : 0;
    }
    return 0;
  } finally {
    await db.$disconnect();
  }
}

runCli(main, USAGE);
