/**
 * Export → re-import round trip on real data: the MedSeg sample's polygons and slice classes come back from the
 * masks export through the project's own importer with IoU ≥ 0.99 per slice and class.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelIoU, polygonsToLabelMap, type LesionPolygon } from '@/lib/imaging/contours';
import { importPath } from '@/lib/import/importPath';
import { haveMedseg, medsegDir, medsegImages, medsegMasks, stageMedseg } from '@/lib/testing/medseg';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { collectExport } from './collect';
import { toCoco } from './coco';
import { writeExport } from './write';

if (!haveMedseg) console.warn(`skipping the export round trip: no ${medsegDir}`);

describe.skipIf(!haveMedseg)('export and re-import of the MedSeg sample', () => {
  let source: TestDb;
  let target: TestDb;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-export-'));
  const previousDataDir = process.env.DATA_DIR;
  beforeAll(async () => {
    process.env.DATA_DIR = path.join(work, 'pixels');
    [source, target] = [await createTestDb('sqlite'), await createTestDb('sqlite')];
    // Twelve real slices with GGO/C masks, and a slice class for each from a CSV.
    const files = medsegImages().slice(0, 12);
    const images = stageMedseg(path.join(work, 'in/images'), files);
    writeFileSync(path.join(work, 'in/labels.csv'), 'file,class\n' + files.map((f, k) => `${f},${k % 2 ? 'COVID-19' : 'Normal'}`).join('\n'));
    const summary = await importPath(source.db, images, { masksDir: medsegMasks, labelsCsv: path.join(work, 'in/labels.csv'), studyFrom: 'file' });
    expect(summary.errors).toEqual([]);
  });
  afterAll(async () => {
    process.env.DATA_DIR = previousDataDir;
    await source?.cleanup();
    await target?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('gives back the same polygons (IoU ≥ 0.99) and classes', async () => {
    const out = path.join(work, 'export');
    const written = await writeExport(source.db, 'masks', out, { status: 'accepted' });
    expect(written.slices).toBe(12);
    const reimport = await importPath(target.db, path.join(out, 'images'), { masksDir: path.join(out, 'masks'), labelsCsv: path.join(out, 'labels.csv'), studyFrom: 'file' });
    expect(reimport.errors).toEqual([]);
    const before = await collectExport(source.db, { status: 'accepted' });
    const after = new Map((await collectExport(target.db, { status: 'accepted' })).map((s) => [path.basename(s.studyKey), s]));
    const ious: number[] = [];
    for (const s of before) {
      const back = after.get(s.fileName);
      expect(back, s.fileName).toBeDefined();
      expect(back!.sliceClass).toBe(s.sliceClass);
      const a = polygonsToLabelMap(s.polygons as LesionPolygon[], s.width, s.height);
      const b = polygonsToLabelMap(back!.polygons as LesionPolygon[], s.width, s.height);
      for (const label of [1, 2]) if (a.includes(label) || b.includes(label)) ious.push(labelIoU(a, b, label));
    }
    console.log(`export round trip: ${ious.length} slice-classes, min IoU ${Math.min(...ious).toFixed(4)}, mean ${(ious.reduce((x, y) => x + y, 0) / ious.length).toFixed(4)}`);
    expect(Math.min(...ious)).toBeGreaterThanOrEqual(0.99);
  });

  it('writes COCO with both categories, holes kept, and the slice class as an image attribute', async () => {
    const out = path.join(work, 'coco');
    await writeExport(source.db, 'coco', out, { status: 'all' });
    const coco = JSON.parse(readFileSync(path.join(out, 'annotations.json'), 'utf8')) as ReturnType<typeof toCoco>;
    expect(coco.categories.map((c) => c.name)).toEqual(['GGO', 'C']);
    expect(coco.images).toHaveLength(12);
    expect(coco.images[1].attributes.slice_class).toBe('COVID'); // COVID-19 in the CSV: imported under its canonical name
    const polygons = (await collectExport(source.db, { status: 'all' })).flatMap((s) => s.polygons);
    expect(coco.annotations).toHaveLength(polygons.length);
    expect(new Set(coco.annotations.map((a) => a.category_id))).toEqual(new Set([1, 2]));
    for (const a of coco.annotations) expect(a.area).toBeGreaterThan(0);
  });
});
