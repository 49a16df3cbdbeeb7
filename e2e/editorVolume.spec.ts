import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createDb } from '../lib/db/client';
import { writePixels } from '../lib/imaging/pixelStore';
import { loginAs } from './helpers';
import { drawPolygon, editorState, openEditor, toPage, waitSaved, type Pt } from './editorHelpers';

/** A study of three generated 96×96 slices (a bright disc that grows from slice to slice), stored like an import. */
async function threeSliceStudy(): Promise<string[]> {
  const db = createDb(`file:${path.resolve('.e2e-data/ctms.db')}`);
  try {
    const study = await db.study.create({ data: { scanKey: `e2e-stack-${Date.now()}`, source: 'e2e', format: 'IMAGE' } });
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const pixels = new Uint8Array(96 * 96);
      for (let y = 0; y < 96; y++) for (let x = 0; x < 96; x++) pixels[y * 96 + x] = Math.hypot(x - 48, y - 48) < 12 + 6 * index ? 200 : 40;
      const stored = await writePixels({ kind: 'WINDOWED', width: 96, height: 96, pixels }, path.resolve('.e2e-data'));
      const slice = await db.slice.create({
        data: { studyId: study.id, index, width: 96, height: 96, pixelKind: 'WINDOWED', windowWidth: 256, windowLevel: 128, pixelPath: stored.path, contentHash: stored.contentHash, sourceFile: `stack/${index}.png` },
      });
      ids.push(slice.id);
    }
    return ids;
  } finally {
    await db.$disconnect();
  }
}

test('previous/next slice in the study by key and shift-wheel, its neighbours shown, outlines copied from the previous slice', async ({ page }) => {
  const ids = await threeSliceStudy();
  await loginAs(page, 'ANNOTATOR');
  await openEditor(page, ids[0]);
  await expect(page.getByTestId('stack-position')).toHaveText('Slice 1 of 3 in this study');
  await expect(page.getByTestId('neighbour-previous')).toHaveCount(0);
  const outline: Pt[] = [[30, 30], [66, 30], [66, 66], [30, 66]];
  await page.keyboard.press('1');
  await drawPolygon(page, outline);
  await expect.poll(async () => (await editorState(page.request, ids[0])).polygons.length, { timeout: 15_000 }).toBe(1);
  await waitSaved(page);
  const drawn = (await editorState(page.request, ids[0])).polygons[0];

  // ↓: the next slice of the study, with both neighbours shown.
  await page.keyboard.press('ArrowDown');
  await expect(page).toHaveURL(new RegExp(`/annotate/${ids[1]}$`));
  await openEditor(page, ids[1]);
  await expect(page.getByTestId('stack-position')).toHaveText('Slice 2 of 3 in this study');
  await expect(page.getByTestId('neighbour-previous').getByRole('img')).toBeVisible();
  await expect(page.getByTestId('neighbour-next').getByRole('img')).toBeVisible();

  // Copy the previous slice's outline: the same polygon, saved here as this slice's own.
  await page.keyboard.press('Shift+ArrowUp');
  await expect.poll(async () => (await editorState(page.request, ids[1])).polygons.length, { timeout: 15_000 }).toBe(1);
  await waitSaved(page);
  const copied = await editorState(page.request, ids[1]);
  expect(copied.polygons.map((p) => [p.lesionClass, p.points, p.holes])).toEqual([['GGO', drawn.points, drawn.holes]]);
  expect(copied.polygons[0].id).not.toBe(drawn.id);

  // Shift + wheel down: the next slice; ↑ twice (Page Up once): back to the first.
  await page.mouse.move(...(await toPage(page, [48, 48])));
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 120);
  await page.keyboard.up('Shift');
  await expect(page).toHaveURL(new RegExp(`/annotate/${ids[2]}$`));
  await openEditor(page, ids[2]);
  await expect(page.getByTestId('stack-position')).toHaveText('Slice 3 of 3 in this study');
  await page.keyboard.press('PageUp');
  await expect(page).toHaveURL(new RegExp(`/annotate/${ids[1]}$`));
  await openEditor(page, ids[1]);
  await page.getByTestId('neighbour-previous').getByRole('button', { name: /^Previous/ }).click();
  await expect(page).toHaveURL(new RegExp(`/annotate/${ids[0]}$`));
});

test('interpolation fills the slice between two labelled slices with the lesion in between', async ({ page }) => {
  const ids = await threeSliceStudy();
  await loginAs(page, 'ANNOTATOR');
  const square = (half: number): Pt[] => [[48 - half, 48 - half], [48 + half, 48 - half], [48 + half, 48 + half], [48 - half, 48 + half]];
  for (const [id, half] of [[ids[0], 10], [ids[2], 20]] as const) {
    const res = await page.request.put(`/api/slices/${id}/annotations`, { data: { baseVersion: 0, polygons: [{ clientKey: 'k', lesionClass: 'C', points: square(half) }], sliceClass: null } });
    expect(res.ok()).toBe(true);
  }
  await openEditor(page, ids[1]);
  await page.keyboard.press('i');
  await expect.poll(async () => (await editorState(page.request, ids[1])).polygons.length, { timeout: 15_000 }).toBe(1);
  await waitSaved(page);
  const [p] = (await editorState(page.request, ids[1])).polygons;
  expect(p.lesionClass).toBe('C');
  const xs = p.points.map((q) => q[0]);
  // 20 px across below, 40 above: 30 across halfway.
  expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(27);
  expect(Math.max(...xs) - Math.min(...xs)).toBeLessThan(33);
});
