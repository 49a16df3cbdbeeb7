/**
 * npm run export -- --format coco|masks|csv|nifti|dicom-seg --out <dir> [--status accepted|all] [--study <id>] [--stow]
 * npm run export -- --format onnx --model <dir> --out <model.onnx>
 * Writes the annotations of DATABASE_URL (pixels from DATA_DIR) as COCO JSON, PNG label masks with their images and
 * labels.csv (a folder `npm run import` reads back), a CSV of slice classes, or per study a NIfTI label volume with its
 * image volume, or a DICOM-SEG (which --stow also sends to the DICOMweb server the series came from).
 * With --format onnx it writes a trained segmenter version instead (lib/model/onnx): model.onnx, its two head graphs
 * and the model.json sidecar; no database is opened.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { parseCli, runCli } from '../lib/cli/args';
import { getDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { stowStudies } from '../lib/dicomweb/stow';
import { EXPORT_FORMATS, writeExport } from '../lib/export/write';
import { exportOnnx } from '../lib/model/onnx/exportOnnx';

const USAGE = `usage: npm run export -- --format coco|masks|csv|nifti|dicom-seg --out <dir> [--status accepted|all] [--study <id>] [--stow]
       npm run export -- --format onnx --model <dir> --out <model.onnx>
  --format coco       annotations.json: COCO polygons, categories GGO/C, slice class as an image attribute
  --format masks      images/ and masks/ (PNG, 0 background, 1 GGO, 2 C) and labels.csv, re-importable with npm run import
  --format csv        slice-classes.csv
  --format nifti      per study: images/<case>.nii.gz (HU) and labels/<case>.nii.gz (0 background, 1 GGO, 2 C),
                      orientation and spacing of the source series; re-importable with npm run import -- images --masks labels
  --format dicom-seg  per DICOM study: <case>.seg.dcm, one segment per class, referencing the source instances
  --status            accepted (default): labels of reviewed slices only; all: every slice
  --study <id>        one study only
  --stow              dicom-seg: also store each SEG on the DICOMweb server its series was imported from (STOW-RS)
  --format onnx       a segmenter model folder (--model) as ONNX: <out> (backbone, FPN, RPN head), <stem>.box_head.onnx,
                      <stem>.mask_head.onnx and <stem>.json (classes, thresholds, preprocessing, input/output names, opset)`;

const options = {
  format: { type: 'string' },
  out: { type: 'string' },
  status: { type: 'string' },
  study: { type: 'string' },
  stow: { type: 'boolean' },
  model: { type: 'string' },
} as const;

const FORMATS = [...EXPORT_FORMATS, 'onnx'] as const;

const argsSchema = z.object({
  format: z.enum(FORMATS, { message: `--format must be one of ${FORMATS.join(', ')}` }),
  out: z.string({ message: '--out <dir> is required' }).min(1),
  model: z.string().min(1).optional(),
  status: z.enum(['accepted', 'all'], { message: '--status must be accepted or all' }).default('accepted'),
  study: z.string().min(1).optional(),
  stow: z.boolean().default(false),
}).refine((a) => !a.stow || a.format === 'dicom-seg', { message: '--stow sends DICOM-SEG objects: use it with --format dicom-seg' })
  .refine((a) => (a.format === 'onnx') === (a.model !== undefined), { message: '--format onnx exports a model: give it --model <dir> (and --model only goes with --format onnx)' })
  .refine((a) => a.format !== 'onnx' || /\.onnx$/i.test(a.out), { message: '--format onnx: --out names the .onnx file to write, e.g. --out model.onnx' });

async function main(): Promise<number> {
  const { values } = parseCli(process.argv.slice(2), options, argsSchema, false);
  if (values.format === 'onnx') {
    const { files, sidecar } = exportOnnx(values.model!, values.out);
    console.log(`exported segmenter ${values.model} (${sidecar.config.preset}, classes ${sidecar.classes.join(', ')}, opset ${sidecar.opset}) as ONNX:`);
    for (const f of files) console.log(`  ${f}`);
    return 0;
  }
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
