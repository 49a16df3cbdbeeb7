import { expect, test, type APIResponse } from '@playwright/test';
import { login, loginAs } from './helpers';
import { editorState, unlabelledSlices } from './editorHelpers';

test('a rejected slice stays visible to its annotator: Rejected with the comment in My work, listed with a count on Annotate, served first by Next slice', async ({ browser }) => {
  // An annotator of their own, holding no lease from other tests (a held lease is resumed before anything else).
  const admin = await (await browser.newContext()).newPage();
  await loginAs(admin, 'ADMIN');
  const email = `returned-${Date.now()}@example.org`;
  expect((await admin.request.post('/api/users', { data: { email, name: 'Rita Returned', role: 'ANNOTATOR', password: 'annotate-me-please' } })).status()).toBe(201);
  const annotator = await (await browser.newContext()).newPage();
  await login(annotator, email, 'annotate-me-please');
  await expect(annotator.getByTestId('current-user')).toContainText('Rita Returned');
  const reviewer = await (await browser.newContext()).newPage();
  await loginAs(reviewer, 'REVIEWER');
  // The middle of the pool: the other specs take theirs from either end.
  const pool = await unlabelledSlices(annotator.request);
  const id = pool[Math.floor(pool.length / 2)];
  const { width, height } = await editorState(annotator.request, id);

  // On the slice's current version; the worker's score job may write proposals meanwhile (a stale save: again).
  let saved: APIResponse | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const { version } = await editorState(annotator.request, id);
    saved = await annotator.request.put(`/api/slices/${id}/annotations`, {
      data: { baseVersion: version, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: [[width * 0.2, height * 0.2], [width * 0.4, height * 0.2], [width * 0.3, height * 0.4]] }], sliceClass: null },
    });
    if (saved.status() !== 409) break;
  }
  expect(saved!.ok(), await saved!.text()).toBe(true);
  const submitted = await annotator.request.post(`/api/slices/${id}/submit`, { data: { baseVersion: (await saved!.json()).version } });
  expect(submitted.ok()).toBe(true);
  const comment = `Outline the consolidation too (${Date.now()})`;
  const rejected = await reviewer.request.post(`/api/slices/${id}/review`, { data: { action: 'reject', baseVersion: (await submitted.json()).version, comment } });
  expect(rejected.ok()).toBe(true);

  await annotator.goto('/history');
  const row = annotator.getByTestId('history').getByRole('row').filter({ hasText: comment });
  await expect(row.getByTestId('rejected-badge')).toHaveText('Rejected');

  await annotator.goto('/annotate');
  await expect(annotator.getByTestId('returned-count')).toHaveText('1');
  await expect(annotator.getByTestId('returned-slices')).toContainText(comment);
  await annotator.getByRole('button', { name: 'Next slice' }).click();
  await annotator.waitForURL(new RegExp(`/annotate/${id}$`));
  await expect(annotator.getByTestId('review-comment')).toContainText(comment);
});
