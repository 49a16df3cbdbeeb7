import { expect, test } from '@playwright/test';
import { loginAs } from './helpers';
import { drawPolygon, editorState, openEditor, unlabelledSlices, waitSaved } from './editorHelpers';

test('reject with a comment, fix and resubmit, accept: the history shows every revision', async ({ browser }) => {
  const annotator = await (await browser.newContext()).newPage();
  const reviewer = await (await browser.newContext()).newPage();
  await loginAs(annotator, 'ANNOTATOR');
  await loginAs(reviewer, 'REVIEWER');
  const [id] = (await unlabelledSlices(annotator.request)).slice(-1);
  const { width, height } = await editorState(annotator.request, id);

  // The annotator labels the slice and submits it.
  await openEditor(annotator, id);
  await drawPolygon(annotator, [[width * 0.2, height * 0.2], [width * 0.4, height * 0.2], [width * 0.3, height * 0.4]]);
  await waitSaved(annotator);
  await annotator.getByRole('button', { name: /Submit for review/ }).click();
  await annotator.waitForURL((url) => !url.pathname.endsWith(id));

  // The reviewer finds it in the queue and sends it back with a comment.
  await reviewer.goto('/review');
  const row = reviewer.getByTestId('review-submitted').getByRole('row').filter({ has: reviewer.getByRole('link', { name: 'Review' }) });
  await expect(row.first()).toBeVisible();
  await reviewer.goto(`/annotate/${id}`);
  await reviewer.getByRole('button', { name: 'Reject…' }).click();
  await reviewer.getByLabel('Rejection comment').fill('Please add the consolidation in the lower right');
  await reviewer.getByRole('button', { name: 'Send back with comment' }).click();
  await reviewer.waitForURL(/\/review$/);

  // The annotator sees the comment, fixes the slice and resubmits.
  await openEditor(annotator, id);
  await expect(annotator.getByTestId('review-comment')).toContainText('Please add the consolidation in the lower right');
  await annotator.keyboard.press('2');
  await drawPolygon(annotator, [[width * 0.6, height * 0.6], [width * 0.8, height * 0.6], [width * 0.7, height * 0.8]]);
  await waitSaved(annotator);
  await annotator.getByRole('button', { name: /Submit for review/ }).click();
  await annotator.waitForURL((url) => !url.pathname.endsWith(id));

  // The reviewer accepts.
  await reviewer.goto(`/annotate/${id}`);
  await expect(reviewer.getByTestId('editor-canvas')).toHaveAttribute('data-ready', '1');
  await reviewer.getByRole('button', { name: 'Accept', exact: true }).click();
  await reviewer.waitForURL(/\/review$/);
  expect((await editorState(reviewer.request, id)).polygons.map((p) => p.lesionClass).sort()).toEqual(['C', 'GGO']);

  // Every revision, with who did it: the first submission, the rejection, the fix and resubmission, the acceptance.
  await reviewer.goto(`/slices/${id}/history`);
  const rows = reviewer.getByTestId('history-row');
  const texts = await rows.allInnerTexts();
  const by = (who: RegExp, what: RegExp) => texts.filter((t) => who.test(t) && what.test(t)).length;
  expect(by(/Ada Annotator/, /\bsubmit\b/)).toBe(2);
  expect(by(/Ada Annotator/, /\bedit\b/)).toBeGreaterThanOrEqual(2);
  expect(by(/Rei Reviewer/, /reject/)).toBe(1);
  expect(texts.find((t) => /reject/.test(t))).toMatch(/lower right/);
  expect(by(/Rei Reviewer/, /accept/)).toBe(1);
  await annotator.context().close();
  await reviewer.context().close();
});
