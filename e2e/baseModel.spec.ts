/**
 * The quick start's base model at work: a fresh install imports models/base as the active segmenter labelled
 * "base" and scores every slice with it, so an annotator opens a slice and finds the model's proposals; a click on
 * one (select tool) takes it, and it is saved as the annotator's polygon.
 */
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { editorState, openEditor, toPage, unlabelledSlices, type Pt } from './editorHelpers';
import { loginAs } from './helpers';

interface ApiState { proposals: { lesionClass: 'GGO' | 'C'; points: Pt[] }[]; polygons: { lesionClass: string; points: Pt[] }[] }

const baseDir = process.env.CTMS_BASE_MODEL ?? 'models/base';
test.skip(baseDir === 'none' || !existsSync(`${baseDir}/manifest.json`), `no base model in ${baseDir}`);

test('fresh quick start: the annotator sees base-model proposals, takes one with a click, and it is saved as a polygon', async ({ page, browser }) => {
  test.setTimeout(5 * 60_000);
  // The admin's view: the base model is a version labelled "base", and the score job it queued has run.
  const admin = await browser.newPage();
  await loginAs(admin, 'ADMIN');
  const versions = (await (await admin.request.get('/api/models')).json()).versions as { kind: string; label: string | null; number: number }[];
  expect(versions.find((v) => v.kind === 'segmenter' && v.label === 'base')).toBeTruthy();
  await expect.poll(async () => {
    const jobs = (await (await admin.request.get('/api/jobs')).json()).jobs as { type: string; status: string; createdAt: string }[];
    return jobs.filter((j) => j.type === 'score').at(-1)?.status; // the oldest score job: the one the start queued
  }, { timeout: 4 * 60_000, intervals: [2000] }).toBe('SUCCEEDED');
  await admin.goto('/admin/models');
  await expect(admin.getByTestId('models-segmenter')).toContainText('base');
  await expect(admin.getByTestId('models-segmenter')).toContainText(/calibrated on validation|set by an admin|default/);
  await admin.close();

  await loginAs(page, 'ANNOTATOR');
  // An unlabelled slice with proposals (most have some; the slice is the annotator's own once opened).
  let sliceId: string | null = null;
  let state: ApiState | null = null;
  for (const id of await unlabelledSlices(page.request)) {
    const s = (await editorState(page.request, id)) as unknown as ApiState;
    if (s.proposals.length > 0 && s.polygons.length === 0) { sliceId = id; state = s; break; }
  }
  expect(sliceId, 'no unlabelled slice has base-model proposals').not.toBeNull();
  await openEditor(page, sliceId!);
  await expect(page.getByText(`Proposals (${state!.proposals.length})`)).toBeVisible();

  // Select tool, then a click on the outline of the first proposal (a vertex is on it whatever its shape).
  await page.keyboard.press('v');
  const [x, y] = await toPage(page, state!.proposals[0].points[0]);
  await page.mouse.click(x, y);
  await expect(page.getByText(`Proposals (${state!.proposals.length - 1})`)).toBeVisible();
  await expect.poll(async () => ((await editorState(page.request, sliceId!)) as unknown as ApiState).polygons.length, { timeout: 15_000 }).toBe(1);
  const saved = (await editorState(page.request, sliceId!)) as unknown as ApiState;
  const taken = state!.proposals.find((p) => JSON.stringify(p.points) === JSON.stringify(saved.polygons[0].points));
  expect(taken, 'the saved polygon is one of the proposals, outline unchanged').toBeTruthy();
  expect(saved.polygons[0].lesionClass).toBe(taken!.lesionClass);
  // the proposal taken is no longer offered after a reload either
  await page.reload();
  await expect(page.getByText(`Proposals (${state!.proposals.length - 1})`)).toBeVisible();
});
