import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createDb } from '../lib/db/client';
import { loginAs } from './helpers';

const DB_URL = `file:${path.resolve('.e2e-data/ctms.db')}`;
const SIMULATION = path.resolve('.e2e-data/al-simulation/latest.csv');
const CLASSES = ['COVID-19', 'Normal'];

// Two classifier and two segmenter versions with figures that appear nowhere else, numbered after whatever the
// other tests (a training run) have registered.
const inserted: string[] = [];
let clsA = 0;
let segA = 0;

test.beforeAll(async () => {
  const db = createDb(DB_URL);
  try {
    const next = async (kind: string) => ((await db.modelVersion.findFirst({ where: { kind }, orderBy: { number: 'desc' } }))?.number ?? 0) + 1;
    clsA = await next('classifier');
    segA = await next('segmenter');
    const common = { path: 'e2e/none', config: {}, trainingSummary: {} };
    const classifier = (number: number, confusion: number[][], sens: number[], prec: number[], accuracy: number) =>
      db.modelVersion.create({
        data: {
          ...common, kind: 'classifier', number, labelledSlices: 10 * number, gateMetric: accuracy,
          metrics: { classNames: CLASSES, confusion, accuracy, n: 40, sensitivity: { 'COVID-19': sens[0], Normal: sens[1] }, precision: { 'COVID-19': prec[0], Normal: prec[1] } },
        },
      });
    const per = (GGO: number, C: number) => ({ GGO, C, mean: (GGO + C) / 2 });
    const segmenter = (number: number, labelledSlices: number, k: number) =>
      db.modelVersion.create({
        data: { ...common, kind: 'segmenter', number, labelledSlices, gateMetric: 0.4 + k, metrics: { maskAP50: per(0.5123 + k, 0.3456 + k), maskAP75: per(0.2, 0.1), mAP: per(0.25, 0.15), dice: per(0.6012 + k, 0.4321 + k), numSlices: 8 } },
      });
    inserted.push(
      (await classifier(clsA, [[17, 3], [4, 16]], [0.85, 0.8], [0.8095, 0.8421], 0.825)).id,
      (await classifier(clsA + 1, [[19, 1], [2, 18]], [0.95, 0.9], [0.9048, 0.9474], 0.925)).id,
      (await segmenter(segA, 20, 0)).id,
      (await segmenter(segA + 1, 40, 0.1)).id,
    );
  } finally {
    await db.$disconnect();
  }
});

test.afterAll(async () => {
  rmSync(SIMULATION, { force: true });
  const db = createDb(DB_URL);
  await db.modelVersion.deleteMany({ where: { id: { in: inserted } } });
  await db.$disconnect();
});

for (const role of ['ANNOTATOR', 'REVIEWER', 'ADMIN'] as const) {
  test(`${role.toLowerCase()} opens the metrics dashboard from the menu`, async ({ page }) => {
    await loginAs(page, role);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await expect(page.getByRole('heading', { name: 'Metrics dashboard' })).toBeVisible();
    for (const section of ['Classifier (slice class)', 'Segmenter (GGO and consolidation)', 'Learning curves', 'Agreement']) {
      await expect(page.getByRole('heading', { name: section })).toBeVisible();
    }
    expect((await page.request.get('/api/metrics')).status()).toBe(200);
  });
}

test('the dashboard shows per-class figures, the confusion heat map, and every figure downloads as CSV', async ({ page }) => {
  await loginAs(page, 'ANNOTATOR');
  await page.goto(`/dashboard?classifier=${clsA + 1}`);

  // Table 2 layout: sensitivity (precision) per class and overall accuracy, one row per version.
  const table2 = page.getByTestId('classifier-table');
  const rowA = table2.getByRole('row', { name: new RegExp(`^v${clsA} `) });
  await expect(rowA).toContainText('85.0% (81.0%)');
  await expect(rowA).toContainText('82.5%');
  await expect(table2.getByRole('row', { name: new RegExp(`^v${clsA + 1} `) })).toContainText('95.0% (90.5%)');

  // The heat map of the chosen version: rows are true classes, columns predicted.
  const heat = page.getByTestId('confusion-heatmap');
  await expect(heat.getByTestId('confusion-COVID-19-COVID-19')).toContainText('19');
  await expect(heat.getByTestId('confusion-Normal-COVID-19')).toContainText('2');
  await expect(heat.getByRole('row', { name: /^COVID-19/ })).toContainText('95.0% (90.5%)');
  await page.getByRole('navigation', { name: 'Classifier version' }).getByRole('link', { name: `v${clsA}`, exact: true }).click();
  await expect(heat.getByTestId('confusion-COVID-19-Normal')).toContainText('3');
  await expect(page.getByTestId('confusion-figure').getByRole('heading')).toHaveText(`Confusion matrix, classifier v${clsA}`);

  // Segmenter: AP@0.5, AP@0.75, mAP and Dice for GGO and C, across versions.
  const seg = page.getByTestId('segmenter-table');
  await expect(seg.getByRole('row', { name: new RegExp(`^v${segA} `) })).toContainText('0.512');
  await expect(seg.getByRole('row', { name: new RegExp(`^v${segA + 1} `) })).toContainText('0.532'); // Dice C 0.4321 + 0.1
  await expect(page.getByRole('img', { name: 'Segmenter learning curve' }).locator('.recharts-line').first()).toBeVisible();

  // Agreement: the published inter-observer figure beside the project's own.
  await expect(page.getByTestId('agreement-table').getByRole('row', { name: /Published inter-observer agreement/ })).toContainText('0.700');

  // CSV of the confusion matrix of the version shown.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download Confusion matrix, classifier v${clsA} as CSV` }).click()]);
  expect(download.suggestedFilename()).toBe(`confusion-classifier-v${clsA}.csv`);
  const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
  expect(csv[0]).toBe('True \\ predicted,COVID-19,Normal,Sensitivity,Precision');
  expect(csv[1]).toBe('COVID-19,17,3,0.85,0.8095');

  const [segCsv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download AP@0.5, AP@0.75, mAP@[.5:.95] and Dice per class as CSV' }).click()]);
  const lines = readFileSync(await segCsv.path(), 'utf8').trim().split('\r\n');
  expect(lines[0]).toContain('AP@0.5 GGO');
  expect(lines.some((l) => l.startsWith(`${segA},20,false,0.5123,0.3456`))).toBe(true);
});

test('the latest active-learning simulation shows once its file exists', async ({ page }) => {
  rmSync(SIMULATION, { force: true });
  await loginAs(page, 'REVIEWER');
  await page.goto('/dashboard');
  await expect(page.getByTestId('simulation-empty')).toContainText('No simulation yet');

  mkdirSync(path.dirname(SIMULATION), { recursive: true });
  writeFileSync(SIMULATION, 'strategy,labelled,seed,maskAP50,dice\nrandom,10,1,0.2,0.3\nrandom,10,2,0.3,0.5\nentropy,10,1,0.4,0.6\nrandom,20,1,0.35,0.5\nentropy,20,1,0.55,0.7\n');
  await page.reload();
  const dice = page.getByTestId('simulation-dice');
  await expect(dice.getByRole('heading')).toHaveText('Active-learning simulation: Dice by strategy');
  await expect(dice.locator('.recharts-line')).toHaveCount(2);
  // the spread over seeds: a band per strategy (random has two seeds at 10)
  await expect(dice.locator('.recharts-area')).toHaveCount(2);
  const [download] = await Promise.all([page.waitForEvent('download'), dice.getByRole('button', { name: /as CSV/ }).click()]);
  const [header, ...rows] = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  expect(header).toBe('Labelled slices,entropy,entropy (std over seeds),random,random (std over seeds)');
  const values = rows.map((r) => r.split(',').map(Number));
  expect(values[0].slice(0, 4)).toEqual([10, 0.6, 0, 0.4]);
  expect(values[0][4]).toBeCloseTo(Math.SQRT2 * 0.1, 10); // sample std of 0.3 and 0.5
  expect(values[1]).toEqual([20, 0.7, 0, 0.5, 0]);
});
