/**
 * The reading-room round trip in a real browser against a real PACS (Orthanc, started here on a free port with a
 * throw-away folder): an admin connects the server, searches, chooses a series and imports it as a job; after
 * labelling, the console's DICOM-SEG and NIfTI downloads read back with pydicom/nibabel match the labels, and the
 * SEG is sent back to Orthanc. Skipped with a message without Orthanc, unless REQUIRE_ORTHANC=1 (CI).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { createDb } from '../lib/db/client';
import { collectStudyVolumes } from '../lib/export/studyVolume';
import { syntheticCtSeries } from '../lib/testing/ctSeries';
import { labelStudy, niftiDice, segDice } from '../lib/testing/exportChecks';
import { independentReaders, readNiftiWithNibabel, readSegWithPydicom } from '../lib/testing/independentReaders';
import { orthancAvailability, startOrthanc, type RunningOrthanc } from '../lib/testing/orthanc';
import { loginAs } from './helpers';

const orthanc = orthancAvailability();
const SERIES_UID = '2.25.61001';

test.describe('DICOMweb in the admin console', () => {
  test.skip(!orthanc.available, `no Orthanc: ${orthanc.reason}`);
  let pacs: RunningOrthanc;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-e2e-dicomweb-'));

  test.beforeAll(async () => {
    pacs = await startOrthanc();
    await pacs.upload(syntheticCtSeries({ slices: 6, size: 96, studyUid: '2.25.61000', seriesUid: SERIES_UID, patientId: 'E2E-PAT', seriesDescription: 'E2E LUNG' }).map((s) => s.bytes));
  });
  test.afterAll(async () => {
    await pacs?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('connect, search, import, export DICOM-SEG and NIfTI, send the SEG back', async ({ page }) => {
    test.setTimeout(180_000);
    await loginAs(page, 'ADMIN');
    await page.goto('/admin/dicomweb');
    const form = page.getByRole('form', { name: 'Connect a DICOMweb server' });
    await form.getByLabel('Name').fill('E2E Orthanc');
    await form.getByLabel('DICOMweb root').fill(pacs.dicomWeb);
    await form.getByLabel('Authentication').selectOption('basic');
    await form.getByLabel('User').fill(pacs.username);
    await form.getByLabel('Password').fill(pacs.password);
    await form.getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByTestId('dicomweb-servers')).toContainText('basic (set)');
    await page.reload();
    expect(await page.content()).not.toContain(pacs.password);

    const search = page.getByRole('form', { name: 'Search series' });
    await search.getByLabel('Patient ID').fill('E2E-PAT');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByTestId('dicomweb-results')).toContainText('E2E LUNG');
    await page.getByLabel('Choose E2E LUNG').check();
    await page.getByRole('button', { name: 'Import 1 selected series' }).click();
    const job = page.getByTestId('dicomweb-job');
    await expect(job).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 90_000 });
    await expect(page.getByTestId('dicomweb-job-log')).toContainText('imported, 6 slices added');
    // Searching again shows it as imported (nothing to choose twice).
    await search.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByTestId('dicomweb-results').getByText('imported', { exact: true })).toBeVisible();

    const db = createDb(`file:${path.resolve('.e2e-data/ctms.db')}`);
    try {
      const study = await db.study.findFirstOrThrow({ where: { scanKey: SERIES_UID } });
      await labelStudy(db, study.id);
      const [volume] = await collectStudyVolumes(db, { status: 'accepted', studyId: study.id });

      await page.goto('/admin/export');
      await page.getByLabel('Export study').selectOption({ label: SERIES_UID });
      const download = async (format: string) => {
        await page.getByLabel('Export format').selectOption(format);
        const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download export' }).click()]);
        const zip = path.join(work, `${format}.zip`);
        await file.saveAs(zip);
        const entries = unzipSync(readFileSync(zip));
        for (const [name, data] of Object.entries(entries)) writeFileSync(path.join(work, name.replaceAll('/', '_')), data);
        return Object.keys(entries).map((n) => path.join(work, n.replaceAll('/', '_')));
      };
      const segFiles = await download('dicom-seg');
      const niftiFiles = await download('nifti');
      expect(segFiles.map((f) => path.basename(f))).toEqual([`${SERIES_UID}.seg.dcm`]);
      expect(niftiFiles.map((f) => path.basename(f)).sort()).toEqual([`images_${SERIES_UID}.nii.gz`, `labels_${SERIES_UID}.nii.gz`]);
      if (independentReaders().available) {
        const seg = segDice(readSegWithPydicom(segFiles[0]), volume);
        const nifti = niftiDice(readNiftiWithNibabel(niftiFiles.find((f) => f.includes('labels_'))!), volume);
        console.log(`console downloads: DICOM-SEG Dice GGO ${seg.perClass[0].pooled.toFixed(4)}, C ${seg.perClass[1].pooled.toFixed(4)}; NIfTI Dice GGO ${nifti.perClass[0].pooled.toFixed(4)}, C ${nifti.perClass[1].pooled.toFixed(4)}`);
        for (const c of [...seg.perClass, ...nifti.perClass]) expect(c.pooled).toBeGreaterThanOrEqual(0.99);
      }

      await page.getByRole('button', { name: 'Send DICOM-SEG to its PACS' }).click();
      await expect(page.getByTestId('stow-result')).toContainText('Stored on E2E Orthanc');
      const series = await pacs.rest<string[]>('/series');
      const modalities = await Promise.all(series.map(async (id) => (await pacs.rest<{ MainDicomTags: { Modality: string } }>(`/series/${id}`)).MainDicomTags.Modality));
      expect(modalities.sort()).toEqual(['CT', 'SEG']);
    } finally {
      // Leave the shared e2e database as the other specs expect it (their exports count accepted sample slices).
      await db.study.deleteMany({ where: { scanKey: SERIES_UID } });
      await db.job.deleteMany({ where: { type: 'import-dicomweb' } });
      await db.dicomWebServer.deleteMany({ where: { name: 'E2E Orthanc' } });
      await db.$disconnect();
    }
  });
});
