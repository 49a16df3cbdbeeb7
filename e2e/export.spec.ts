import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { createDb } from '../lib/db/client';
import { collectExport } from '../lib/export/collect';
import { labelIoU, polygonsToLabelMap, type LesionPolygon } from '../lib/imaging/contours';
import { importPath } from '../lib/import/importPath';
import { createTestDb } from '../lib/testing/testDb';
import { loginAs } from './helpers';

test('an admin exports the sample data from the console; re-imported, it gives back the same polygons and classes', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/admin/export');
  await page.getByLabel('Export format').selectOption('masks');
  await page.getByLabel('Export status').selectOption('accepted');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download export' }).click()]);
  const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-e2e-export-'));
  const zipFile = path.join(work, 'export.zip');
  await download.saveAs(zipFile);

  const out = path.join(work, 'unzipped');
  const { readFileSync } = await import('node:fs');
  for (const [name, data] of Object.entries(unzipSync(readFileSync(zipFile)))) {
    mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
    writeFileSync(path.join(out, name), data);
  }
  const previousDataDir = process.env.DATA_DIR;
  process.env.DATA_DIR = path.join(work, 'pixels');
  const target = await createTestDb('sqlite');
  const source = createDb(`file:${path.resolve('.e2e-data/ctms.db')}`);
  try {
    const summary = await importPath(target.db, path.join(out, 'images'), { masksDir: path.join(out, 'masks'), labelsCsv: path.join(out, 'labels.csv'), studyFrom: 'file' });
    expect(summary.errors).toEqual([]);
    const original = await collectExport(source, { status: 'accepted' });
    expect(original.length).toBeGreaterThan(0);
    expect(summary.slicesAdded).toBe(original.length);
    const back = new Map((await collectExport(target.db, { status: 'accepted' })).map((s) => [path.basename(s.studyKey), s]));
    // Per class, pooled over the slices (what the data set gives back), and the mean of the per-slice IoUs.
    const pooled = { 1: { inter: 0, union: 0 }, 2: { inter: 0, union: 0 } } as Record<number, { inter: number; union: number }>;
    const perSlice: number[] = [];
    for (const s of original) {
      const r = back.get(s.fileName)!;
      expect(r, s.fileName).toBeDefined();
      expect(r.sliceClass).toBe(s.sliceClass);
      const a = polygonsToLabelMap(s.polygons as LesionPolygon[], s.width, s.height);
      const b = polygonsToLabelMap(r.polygons as LesionPolygon[], s.width, s.height);
      for (const label of [1, 2]) {
        if (!a.includes(label) && !b.includes(label)) continue;
        perSlice.push(labelIoU(a, b, label));
        for (let i = 0; i < a.length; i++) {
          const ia = a[i] === label;
          const ib = b[i] === label;
          if (ia && ib) pooled[label].inter++;
          if (ia || ib) pooled[label].union++;
        }
      }
    }
    const iouGGO = pooled[1].inter / pooled[1].union;
    const iouC = pooled[2].inter / pooled[2].union;
    const mean = perSlice.reduce((x, y) => x + y, 0) / perSlice.length;
    console.log(`export round trip through the console: ${original.length} slices; IoU GGO ${iouGGO.toFixed(4)}, C ${iouC.toFixed(4)}; per slice mean ${mean.toFixed(4)}, worst ${Math.min(...perSlice).toFixed(4)}`);
    expect(iouGGO).toBeGreaterThanOrEqual(0.99);
    expect(iouC).toBeGreaterThanOrEqual(0.99);
    expect(mean).toBeGreaterThanOrEqual(0.99);
  } finally {
    process.env.DATA_DIR = previousDataDir;
    await source.$disconnect();
    await target.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});
