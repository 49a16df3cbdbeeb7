import { expect, test, type Browser, type Page } from '@playwright/test';
import { login, loginAs } from './helpers';
import { editorState, unlabelledSlices } from './editorHelpers';

const square = (x: number, y: number, s: number): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

async function newAnnotator(browser: Browser, name: string): Promise<Page> {
  const admin = await (await browser.newContext()).newPage();
  await loginAs(admin, 'ADMIN');
  const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${Date.now()}@example.org`;
  expect((await admin.request.post('/api/users', { data: { email, name, role: 'ANNOTATOR', password: 'annotate-me-please' } })).status()).toBe(201);
  const page = await (await browser.newContext()).newPage();
  await login(page, email, 'annotate-me-please');
  await expect(page.getByTestId('current-user')).toContainText(name);
  return page;
}

async function save(page: Page, id: string, baseVersion: number, polygons: object[]) {
  const res = await page.request.put(`/api/slices/${id}/annotations`, { data: { baseVersion, polygons, sliceClass: null } });
  expect(res.ok(), await res.text()).toBe(true);
  return (await res.json()) as { version: number; ids: Record<string, string> };
}

/**
 * Saves on the slice's current version. The worker's score job may write the base model's proposals to an
 * unlabelled slice meanwhile (a new version): then the save is refused as stale and is made again.
 */
async function saveFresh(page: Page, id: string, polygons: object[]) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { version } = await editorState(page.request, id);
    const res = await page.request.put(`/api/slices/${id}/annotations`, { data: { baseVersion: version, polygons, sliceClass: null } });
    if (res.status() !== 409) {
      expect(res.ok(), await res.text()).toBe(true);
      return (await res.json()) as { version: number; ids: Record<string, string> };
    }
  }
  throw new Error(`slice ${id} kept changing under the test`);
}

async function submit(page: Page, id: string, baseVersion: number) {
  const res = await page.request.post(`/api/slices/${id}/submit`, { data: { baseVersion } });
  expect(res.ok(), await res.text()).toBe(true);
  return ((await res.json()) as { version: number }).version;
}

test('the review screen shows the author and what a resubmission changed, offers decisions only, and moves on to the next item', async ({ browser }) => {
  const annotator = await newAnnotator(browser, 'Rosa Resubmits');
  const reviewer = await (await browser.newContext()).newPage();
  await loginAs(reviewer, 'REVIEWER');
  const pool = await unlabelledSlices(annotator.request);
  const [id, other] = [pool[Math.floor(pool.length / 2) + 2], pool[Math.floor(pool.length / 2) + 3]];
  const { width } = await editorState(annotator.request, id);
  const s = Math.round(width * 0.1);

  // First submission: A and B. Rejected. Resubmission: A kept, B deleted, C added.
  const first = await saveFresh(annotator, id, [{ clientKey: 'a', lesionClass: 'GGO', points: square(s, s, s) }, { clientKey: 'b', lesionClass: 'C', points: square(3 * s, s, s) }]);
  const submitted = await submit(annotator, id, first.version);
  const rejected = await reviewer.request.post(`/api/slices/${id}/review`, { data: { action: 'reject', baseVersion: submitted, comment: 'B is not a lesion; C is missing' } });
  expect(rejected.ok()).toBe(true);
  const second = await save(annotator, id, (await rejected.json()).version, [{ id: first.ids.a, clientKey: 'a', lesionClass: 'GGO', points: square(s, s, s) }, { clientKey: 'c', lesionClass: 'C', points: square(5 * s, 3 * s, s) }]);
  await submit(annotator, id, second.version);
  // Another submitted slice waits behind it.
  const otherSaved = await saveFresh(annotator, other, [{ clientKey: 'x', lesionClass: 'GGO', points: square(s, s, s) }]);
  await submit(annotator, other, otherSaved.version);

  await reviewer.goto('/review');
  await expect(reviewer.getByTestId('review-submitted').getByRole('link', { name: 'Review' }).first()).toHaveAttribute('href', /^\/review\//);
  await reviewer.goto(`/review/${id}`);
  await expect(reviewer.getByTestId('editor-canvas')).toHaveAttribute('data-ready', '1');
  await expect(reviewer.getByTestId('review-author')).toContainText('Submitted by Rosa Resubmits');
  await expect(reviewer.getByTestId('review-diff')).toContainText('1 added, 0 changed, 1 removed (dashed), 1 unchanged');
  await expect(reviewer.getByRole('button', { name: /Submit for review/ })).toHaveCount(0);
  await expect(reviewer.getByRole('button', { name: /Skip/ })).toHaveCount(0);

  await reviewer.getByRole('button', { name: 'Accept', exact: true }).click();
  await reviewer.waitForURL((url) => /^\/review\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(id));
  expect((await editorState(reviewer.request, id) as unknown as { status: string }).status).toBe('ACCEPTED');
  await expect(reviewer.getByTestId('review-author')).toBeVisible();
});
