/**
 * Per-study exports of a DICOM series imported from files: NIfTI and DICOM-SEG read back by independent readers
 * (nibabel, pydicom) against the app's own rasterised polygons, the NIfTI geometry against the source positions,
 * and the NIfTI pair re-imported through the app's importer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPath } from '@/lib/import/importPath';
import { readPixels } from '@/lib/imaging/pixelStore';
import { syntheticCtSeries, type SyntheticInstance } from '@/lib/testing/ctSeries';
import { labelStudy, niftiDice, segDice } from '@/lib/testing/exportChecks';
import { independentReaders, readNiftiWithNibabel, readSegWithPydicom } from '@/lib/testing/independentReaders';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { studyToDicomSeg } from './dicomSeg';
import { collectStudyVolumes, VolumeExportError } from './studyVolume';
import { writeExport } from './write';

const readers = independentReaders();

describe('per-study exports of an imported DICOM series', () => {
  let t: TestDb;
  let series: SyntheticInstance[];
  let studyId: string;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-study-export-'));
  const previousDataDir = process.env.DATA_DIR;

  beforeAll(async () => {
    process.env.DATA_DIR = path.join(work, 'data');
    t = await createTestDb('sqlite');
    series = syntheticCtSeries({ slices: 6, size: 96 });
    mkdirSync(path.join(work, 'in'), { recursive: true });
    // File names in reverse cranial order: the importer must order by position.
    for (const s of series) writeFileSync(path.join(work, 'in', `im${series.length - s.index}.dcm`), s.bytes);
    const summary = await importPath(t.db, path.join(work, 'in'));
    expect(summary.errors).toEqual([]);
    studyId = (await t.db.study.findFirstOrThrow()).id;
    await labelStudy(t.db, studyId);
  });
  afterAll(async () => {
    process.env.DATA_DIR = previousDataDir;
    await t?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps series order, spacing, thickness and HU, and records the source instances', async () => {
    const study = await t.db.study.findUniqueOrThrow({ where: { id: studyId }, include: { slices: { orderBy: { index: 'asc' } } } });
    const meta = study.importMeta as Record<string, unknown>;
    expect(meta.pixelSpacing).toEqual([0.8, 0.7]);
    expect(meta.sliceThickness).toBe(2.5);
    expect(meta.rescale).toEqual({ slope: 1, intercept: -1024 });
    expect((meta.instances as { sopInstanceUid: string }[]).map((i) => i.sopInstanceUid)).toEqual(series.map((s) => s.sopInstanceUid));
    for (const [k, slice] of study.slices.entries()) {
      const px = await readPixels(slice.pixelPath);
      expect(Array.from(px.pixels)).toEqual(Array.from(series[k].hu));
    }
  });

  it('writes a NIfTI pair whose nibabel reading matches the labels (Dice ≥ 0.99) and the source geometry', async (ctx) => {
    if (!readers.available) ctx.skip();
    const out = path.join(work, 'nifti');
    const result = await writeExport(t.db, 'nifti', out, { status: 'accepted' });
    expect(result.files.sort()).toEqual(['images/2.25.31001.nii.gz', 'labels/2.25.31001.nii.gz']);
    const label = readNiftiWithNibabel(path.join(out, 'labels/2.25.31001.nii.gz'));
    const image = readNiftiWithNibabel(path.join(out, 'images/2.25.31001.nii.gz'));
    expect(label.shape).toEqual([96, 96, 6]);
    expect(label.dtype).toBe('uint8');
    expect(image.dtype).toBe('int16');
    // Voxel (i, j, k) → RAS: x and y of the DICOM (LPS) position negated; k steps 2.5 mm inferior.
    expect(image.zooms.map((z) => +z.toFixed(4))).toEqual([0.7, 0.8, 2.5]);
    expect(image.axcodes).toEqual(['L', 'P', 'I']);
    for (const [k, s] of series.entries()) {
      const world = [0, 1, 2].map((r) => image.affine[r][3] + image.affine[r][2] * k);
      expect(world.map((w) => +w.toFixed(3))).toEqual([-s.position[0], -s.position[1], s.position[2]]);
      expect(Array.from(image.slice(k))).toEqual(Array.from(s.hu));
    }
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(image.qform[r][c]).toBeCloseTo(image.sform[r][c], 4);
    const volume = (await collectStudyVolumes(t.db, { status: 'accepted' }))[0];
    const dice = niftiDice(label, volume);
    console.log(`NIfTI label volume (nibabel): Dice GGO ${dice.perClass[0].pooled.toFixed(4)}, C ${dice.perClass[1].pooled.toFixed(4)}`);
    for (const c of dice.perClass) expect(Math.min(c.pooled, c.meanOverSlices)).toBeGreaterThanOrEqual(0.99);
  });

  it('re-imports its NIfTI export with the same labels (Dice ≥ 0.99)', async () => {
    const out = path.join(work, 'nifti-reimport');
    await writeExport(t.db, 'nifti', out, { status: 'accepted' });
    const target = await createTestDb('sqlite');
    try {
      const summary = await importPath(target.db, path.join(out, 'images'), { masksDir: path.join(out, 'labels') });
      expect(summary.errors).toEqual([]);
      const [before] = await collectStudyVolumes(t.db, { status: 'all' });
      const [after] = await collectStudyVolumes(target.db, { status: 'all' });
      expect(after.slices).toHaveLength(before.slices.length);
      const { dicePerClass } = await import('@/lib/model/metrics/dice');
      const maps = (v: typeof before) => v.slices.map((s) => ({ width: v.width, height: v.height, data: s.labels }));
      const dice = dicePerClass(maps(after), maps(before), [1, 2]);
      console.log(`NIfTI export → re-import: Dice GGO ${dice.perClass[0].pooled.toFixed(4)}, C ${dice.perClass[1].pooled.toFixed(4)}`);
      for (const c of dice.perClass) expect(Math.min(c.pooled, c.meanOverSlices)).toBeGreaterThanOrEqual(0.99);
      // The HU came back too, voxel for voxel.
      for (const [k, s] of after.slices.entries()) expect(Array.from((await readPixels(s.pixelPath)).pixels)).toEqual(Array.from(series[k].hu));
    } finally {
      await target.cleanup();
    }
  });

  it('writes a DICOM-SEG that pydicom reads as one segment per class, referencing the source instances (Dice ≥ 0.99)', async (ctx) => {
    if (!readers.available) ctx.skip();
    const out = path.join(work, 'seg');
    const result = await writeExport(t.db, 'dicom-seg', out, { status: 'accepted' });
    expect(result.files).toEqual(['2.25.31001.seg.dcm']);
    const seg = readSegWithPydicom(path.join(out, result.files[0]));
    expect(seg.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.66.4');
    expect(seg.modality).toBe('SEG');
    expect(seg.segmentationType).toBe('BINARY');
    expect(seg.studyInstanceUid).toBe('2.25.31000');
    expect(seg.patientId).toBe('CTMS-PAT-1');
    expect(seg.frameOfReferenceUid).toBe('2.25.31000.9');
    expect(seg.referencedSeriesInstanceUid).toBe('2.25.31001');
    expect(new Set(seg.referencedInstances)).toEqual(new Set(series.map((s) => s.sopInstanceUid)));
    expect(seg.segments.map((s) => [s.number, s.label, s.typeCode])).toEqual([[1, 'GGO', 'DCM:112120'], [2, 'C', 'SCT:95436008']]);
    // Slices 1–3 hold GGO, 2–4 consolidation: 6 frames, each at its source slice's position.
    expect(seg.frames).toBe(6);
    for (const f of seg.perFrame) expect(f.position).toEqual(series.find((s) => s.sopInstanceUid === f.sourceSopInstanceUid)!.position);
    const volume = (await collectStudyVolumes(t.db, { status: 'accepted' }))[0];
    const dice = segDice(seg, volume);
    console.log(`DICOM-SEG (pydicom): Dice GGO ${dice.perClass[0].pooled.toFixed(4)}, C ${dice.perClass[1].pooled.toFixed(4)}`);
    for (const c of dice.perClass) expect(Math.min(c.pooled, c.meanOverSlices)).toBeGreaterThanOrEqual(0.99);
  });

  it('refuses a DICOM-SEG of a study that did not come from DICOM, naming the reason', async () => {
    const png = await createTestDb('sqlite');
    try {
      const { createTestStudy } = await import('@/lib/testing/fixtures');
      const { study } = await createTestStudy(png.db, { slices: 2 });
      const volume = { ...(await collectStudyVolumes(png.db, { status: 'all' }))[0] };
      expect(() => studyToDicomSeg(volume)).toThrow(VolumeExportError);
      await expect(writeExport(png.db, 'dicom-seg', path.join(work, 'none'), { status: 'all', studyId: study.id })).rejects.toThrow(/not imported from DICOM/);
    } finally {
      await png.cleanup();
    }
  });
});
