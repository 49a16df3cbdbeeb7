import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createDb } from '../lib/db/client';
import { buildTestZip } from '../lib/uploads/testZip';
import { loginAs } from './helpers';

for (const role of ['ANNOTATOR', 'REVIEWER'] as const) {
  test(`a ${role.toLowerCase()} cannot reach the admin console nor start jobs or imports`, async ({ page }) => {
    await loginAs(page, role);
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);
    for (const url of ['/admin', '/admin/training', '/admin/import', '/admin/models', '/admin/active-learning']) {
      await page.goto(url);
      await expect(page).toHaveURL(/\/forbidden/);
    }
    expect((await page.request.post('/api/jobs', { data: { type: 'train-segmenter', config: { preset: 'tiny', epochs: 1 } } })).status()).toBe(403);
    expect((await page.request.get('/api/jobs')).status()).toBe(403);
    expect((await page.request.post('/api/imports?name=x.zip', { data: Buffer.from('PK\u0003\u0004'), headers: { 'content-type': 'application/zip' } })).status()).toBe(403);
    expect((await page.request.put('/api/settings/active-learning', { data: { strategy: 'random' } })).status()).toBe(403);
  });
}

test('an admin uploads a zip of slices with masks and sees the import finish with its summary and the corrupt file', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Admin console' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Import' }).click();

  // A non-zip is refused with a reason, before anything is imported.
  await page.getByLabel('Zip file').setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('just text') });
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not a zip archive' })).toBeVisible();

  const zip = await buildTestZip({ slices: 3, corrupt: true });
  await page.getByLabel('Zip file').setInputFiles({ name: 'e2e-upload.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  await page.getByRole('button', { name: 'Upload and import' }).click();
  const status = page.getByTestId('import-status');
  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-done', '4');
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-total', '4');
  await expect(status).toContainText('masks from masks/');
  await expect(page.getByTestId('import-summary')).toContainText('3 slices added');
  const errors = page.getByTestId('import-errors');
  await expect(errors.getByRole('row')).toHaveCount(2); // header + the one corrupt file
  await expect(errors).toContainText('broken.png');

  // The slices are in the database with their polygons (a GGO and a C square each) and classes.
  const db = createDb(`file:${path.resolve('.e2e-data/ctms.db')}`);
  try {
    const study = await db.study.findFirstOrThrow({ where: { source: 'upload:e2e-upload.zip' }, include: { slices: { include: { annotations: true, labels: true } } } });
    expect(study.slices.map((s) => s.sourceFile).sort()).toEqual(['images/1.png', 'images/2.png', 'images/3.png']);
    for (const s of study.slices) {
      expect(new Set(s.annotations.map((a) => a.lesionClass))).toEqual(new Set(['GGO', 'C']));
      expect(s.labels).toHaveLength(1);
    }
  } finally {
    await db.$disconnect();
  }
});

test('an admin changes the active-learning strategy and it persists after reload', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/admin/active-learning');
  const select = page.getByLabel('Acquisition strategy');
  const before = await select.inputValue();
  const next = before === 'entropy' ? 'margin' : 'entropy';
  await select.selectOption(next);
  await page.getByLabel(/Retrain automatically/).fill('25');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved');
  await page.reload();
  await expect(page.getByLabel('Acquisition strategy')).toHaveValue(next);
  await expect(page.getByLabel(/Retrain automatically/)).toHaveValue('25');
  const api = await (await page.request.get('/api/settings/active-learning')).json();
  expect(api.settings).toMatchObject({ strategy: next, autoTrainAfter: 25 });
  // Put things back for the other tests (the queue order and auto-training depend on them).
  expect((await page.request.put('/api/settings/active-learning', { data: { strategy: before, autoTrainAfter: null } })).status()).toBe(200);
});

test('admin trains from the console: the progress bar moves and a new version appears on the dashboard', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  await loginAs(page, 'ADMIN');
  const versionsBefore = ((await (await page.request.get('/api/models')).json()).versions as { kind: string }[]).filter((v) => v.kind === 'segmenter').length;
  await page.goto('/admin/training');
  const form = page.getByRole('form', { name: 'Train the segmenter' });
  await form.getByLabel('Preset').selectOption('tiny');
  await form.getByLabel('Epochs').fill('1');
  await form.getByLabel('Time budget (CPU min)').fill('0.5');
  await form.getByRole('button', { name: 'Start segmenter training' }).click();
  await expect(page.getByRole('status')).toContainText('Queued train-segmenter');
  const detail = page.getByTestId('job-detail');
  await expect(detail).toBeVisible();
  // The bar moves: some step is reported while it runs (or the job is already done).
  await expect.poll(async () => Number(await page.getByTestId('job-progress').getAttribute('data-done')), { timeout: 4 * 60_000, intervals: [1000] }).toBeGreaterThan(0);
  await expect(detail).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 4 * 60_000 });
  await page.goto('/dashboard');
  await expect(page.getByTestId('segmenter-table').locator('tbody tr')).toHaveCount(versionsBefore + 1);
});

test('an admin sees the promotion gate refuse a worse version, then rolls back to it by force', async ({ page }) => {
  const db = createDb(`file:${path.resolve('.e2e-data/ctms.db')}`);
  const ids: string[] = [];
  let wasActive: { id: string } | null = null;
  try {
    // Two classifier versions numbered after any existing ones; the newer one active with the better figure.
    const first = ((await db.modelVersion.findFirst({ where: { kind: 'classifier' }, orderBy: { number: 'desc' } }))?.number ?? 0) + 1;
    wasActive = await db.modelVersion.findFirst({ where: { kind: 'classifier', active: true } });
    const metrics = (accuracy: number) => ({ classNames: ['COVID-19', 'Normal'], confusion: [[5, 5], [5, 5]], accuracy, sensitivity: {}, precision: {} });
    const make = (number: number, gateMetric: number, active: boolean) =>
      db.modelVersion.create({ data: { kind: 'classifier', number, path: 'e2e/none', config: {}, trainingSummary: {}, labelledSlices: number, gateMetric, active, metrics: metrics(gateMetric) } });
    if (wasActive) await db.modelVersion.update({ where: { id: wasActive.id }, data: { active: false } });
    ids.push((await make(first, 0.4, false)).id, (await make(first + 1, 0.6, true)).id);

    await loginAs(page, 'ADMIN');
    await page.goto('/admin/models');
    const older = page.getByTestId(`version-classifier-${first}`);
    const newer = page.getByTestId(`version-classifier-${first + 1}`);
    await expect(newer).toContainText('active');
    await older.getByRole('button', { name: 'Promote', exact: true }).click();
    await expect(older.getByRole('status')).toHaveText('Not promoted: validation 0.4000 is below the active version\'s 0.6000');
    await older.getByRole('button', { name: 'Roll back' }).click();
    await expect(older.getByRole('status')).toHaveText('Promoted: promoted by an admin');
    await expect(older).toContainText('active');
    await expect(newer).not.toContainText('active');
    await page.reload();
    await expect(page.getByTestId(`version-classifier-${first}`)).toContainText('active');
  } finally {
    await db.modelVersion.deleteMany({ where: { id: { in: ids } } });
    if (wasActive) await db.modelVersion.update({ where: { id: wasActive.id }, data: { active: true } });
    await db.$disconnect();
  }
});
