/**
 * npm run export -- --format coco|masks|csv --out <dir> [--status accepted|all] [--study <id>]
 * Writes the annotations of DATABASE_URL (pixels from DATA_DIR) as COCO JSON, PNG label masks with their images and
 * labels.csv (a folder `npm run import` reads back), or a CSV of slice classes.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { parseCli, runCli } from '../lib/cli/args';
import { getDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { EXPORT_FORMATS, writeExport } from '../lib/export/write';

const USAGE = `usage: npm run export -- --format coco|masks|csv --out <dir> [--status accepted|all] [--study <id>]
  --format coco    annotations.json: COCO polygons, categories GGO/C, slice class as an image attribute
  --format masks   images/ and masks/ (PNG, 0 background, 1 GGO, 2 C) and labels.csv, re-importable with npm run import
  --format csv     slice-classes.csv
  --status         accepted (default): reviewed slices only; all: every slice
  --study <id>     one study only`;

const options = {
  format: { type: 'string' },
  out: { type: 'string' },
  status: { type: 'string' },
  study: { type: 'string' },
} as const;

const argsSchema = z.object({
  format: z.enum(EXPORT_FORMATS, { message: '--format must be coco, masks or csv' }),
  out: z.string({ message: '--out <dir> is required' }).min(1),
  status: z.enum(['accepted', 'all'], { message: '--status must be accepted or all' }).default('accepted'),
  study: z.string().min(1).optional(),
});

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
    return 0;
  } finally {
    await db.$disconnect();
  }
}

runCli(main, USAGE);
