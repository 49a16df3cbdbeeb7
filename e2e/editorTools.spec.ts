import { expect, test, type Page } from '@playwright/test';
import { loginAs } from './helpers';
import { clickImage, editorState, openEditor, toPage, unlabelledSlices, waitSaved, type ApiPolygon, type Pt } from './editorHelpers';
import { growRegion, maskToPolygons, rasterise, strokeMask } from '../lib/editor/raster';
import { inRange } from '../lib/editor/tools/paint';

// Slices from the end of the unlabelled pool, so these tests never share work with editor.spec.ts.
let pool: string[] = [];
test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await loginAs(page, 'ANNOTATOR');
  pool = (await unlabelledSlices(page.request)).reverse();
  await page.close();
});

async function freshSlice(page: Page) {
  await loginAs(page, 'ANNOTATOR');
  const id = pool.shift();
  if (!id) throw new Error('too few unlabelled slices');
  await openEditor(page, id);
  const { width, height } = await editorState(page.request, id);
  return { id, width, height };
}

/** Drags the mouse along image points (a brush or eraser stroke). */
async function stroke(page: Page, points: Pt[]) {
  await page.mouse.move(...(await toPage(page, points[0])));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...(await toPage(page, p)), { steps: 4 });
  await page.mouse.up();
}

async function pixelsOf(page: Page, id: string) {
  const res = await page.request.get(`/api/slices/${id}/pixels`);
  const kind = res.headers()['x-pixel-kind'];
  const buffer = await res.body();
  const values = kind === 'HU' ? new Int16Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)) : new Uint8Array(buffer);
  return { kind, values };
}

function iou(a: Uint8Array, b: Uint8Array) {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) both++;
    if (a[i] || b[i]) either++;
  }
  return either ? both / either : 1;
}

const maskOf = (polygons: ApiPolygon[], width: number, height: number) => rasterise(polygons, { width, height });
/** A pixel mask as the tools store it: traced into polygons (specks under 4 px² dropped) and filled again. */
const asStored = (mask: Uint8Array, width: number, height: number) => rasterise(maskToPolygons(mask, { width, height }, 'GGO'), { width, height });

test('brush paints a polygon, the eraser cuts a hole in it and splits it, undo brings it back: all saved', async ({ page }) => {
  const { id, width, height } = await freshSlice(page);
  await page.keyboard.press('b');
  await expect(page.getByRole('button', { name: 'Brush (B)' })).toHaveAttribute('aria-pressed', 'true');
  const radius = Number(await page.getByLabel('Brush size').inputValue());
  const y = Math.round(height * 0.5);
  const [x0, x1] = [Math.round(width * 0.3), Math.round(width * 0.6)];
  // Three passes one radius apart: a band 4 radii high.
  await stroke(page, [[x0, y - radius], [x1, y - radius], [x1, y], [x0, y], [x0, y + radius], [x1, y + radius]]);
  await waitSaved(page);
  let saved = await editorState(page.request, id);
  expect(saved.polygons).toHaveLength(1);
  const painted = strokeMask([[x0, y - radius], [x1, y - radius], [x1, y], [x0, y], [x0, y + radius], [x1, y + radius]], radius, { width, height });
  expect(iou(maskOf(saved.polygons, width, height), painted)).toBeGreaterThan(0.9);

  // A dab inside: a hole, the same polygon (same id) updated.
  await page.keyboard.press('e');
  await stroke(page, [[(x0 + x1) / 2, y]]);
  await waitSaved(page);
  saved = await editorState(page.request, id);
  expect(saved.polygons).toHaveLength(1);
  expect(saved.polygons[0].holes).toHaveLength(1);

  // A cut across: two polygons.
  await page.getByLabel('Brush size').fill(String(radius + 2));
  await stroke(page, [[x0 + (x1 - x0) * 0.25, y - 4 * radius], [x0 + (x1 - x0) * 0.25, y + 4 * radius]]);
  await waitSaved(page);
  expect((await editorState(page.request, id)).polygons).toHaveLength(2);

  await page.keyboard.press('Control+z');
  await waitSaved(page);
  saved = await editorState(page.request, id);
  expect(saved.polygons).toHaveLength(1);
  expect(saved.polygons[0].holes).toHaveLength(1);
});

test('the magic wand outlines the region grown from the clicked pixel; the threshold brush paints only values in its range', async ({ page }) => {
  const { id, width, height } = await freshSlice(page);
  const { values } = await pixelsOf(page, id);
  const raster = { width, height };
  await page.keyboard.press('g');
  const tolerance = Number(await page.getByLabel('Wand tolerance').inputValue());
  const seed: Pt = [Math.floor(width * 0.5) + 0.5, Math.floor(height * 0.5) + 0.5];
  await clickImage(page, seed);
  await waitSaved(page);
  const expected = asStored(growRegion(values, raster, seed, tolerance), width, height);
  let saved = await editorState(page.request, id);
  expect(saved.polygons.length).toBeGreaterThan(0);
  expect(iou(maskOf(saved.polygons, width, height), expected)).toBeGreaterThan(0.9);

  // Threshold over another part of the slice, as another class.
  await page.keyboard.press('Control+z');
  await waitSaved(page);
  await page.keyboard.press('2');
  await page.keyboard.press('h');
  const radius = Number(await page.getByLabel('Brush size').inputValue());
  const path: Pt[] = [[width * 0.25, height * 0.4], [width * 0.75, height * 0.4]];
  // The middle half of the values under the stroke: a range that paints part of it, whatever the slice.
  const under = strokeMask(path, radius, raster);
  const sorted = Array.from(values.filter((_, i) => under[i] === 1)).sort((a, b) => a - b);
  const [low, high] = [sorted[Math.floor(sorted.length * 0.25)], sorted[Math.floor(sorted.length * 0.75)]];
  await page.getByLabel('Range low').fill(String(low));
  await page.getByLabel('Range high').fill(String(high));
  await stroke(page, path);
  await waitSaved(page);
  saved = await editorState(page.request, id);
  const want = asStored(strokeMask(path, radius, raster, inRange(values, { low, high })), width, height);
  expect(saved.polygons.every((p) => p.lesionClass === 'C')).toBe(true);
  expect(iou(maskOf(saved.polygons, width, height), want)).toBeGreaterThan(0.9);
});
