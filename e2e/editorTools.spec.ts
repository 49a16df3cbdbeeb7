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

/** The server's state once `ready` holds for it (the save after a gesture has landed), then saved in the editor. */
async function savedWhen(page: Page, id: string, ready: (s: Awaited<ReturnType<typeof editorState>>) => boolean) {
  await expect.poll(async () => ready(await editorState(page.request, id)), { timeout: 15_000 }).toBe(true);
  await waitSaved(page);
  return editorState(page.request, id);
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
  let saved = await savedWhen(page, id, (s) => s.polygons.length > 0);
  expect(saved.polygons).toHaveLength(1);
  const painted = strokeMask([[x0, y - radius], [x1, y - radius], [x1, y], [x0, y], [x0, y + radius], [x1, y + radius]], radius, { width, height });
  expect(iou(maskOf(saved.polygons, width, height), painted)).toBeGreaterThan(0.9);

  // A dab inside: a hole, the same polygon (same id) updated.
  await page.keyboard.press('e');
  await stroke(page, [[(x0 + x1) / 2, y]]);
  saved = await savedWhen(page, id, (s) => s.polygons[0]?.holes.length > 0);
  expect(saved.polygons).toHaveLength(1);
  expect(saved.polygons[0].holes).toHaveLength(1);

  // A cut across: two polygons.
  await page.getByLabel('Brush size').fill(String(radius + 2));
  await stroke(page, [[x0 + (x1 - x0) * 0.25, y - 4 * radius], [x0 + (x1 - x0) * 0.25, y + 4 * radius]]);
  expect((await savedWhen(page, id, (s) => s.polygons.length !== 1)).polygons).toHaveLength(2);

  await page.keyboard.press('Control+z');
  saved = await savedWhen(page, id, (s) => s.polygons.length === 1);
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
  await savedWhen(page, id, (s) => s.polygons.length > 0);
  const expected = asStored(growRegion(values, raster, seed, tolerance), width, height);
  let saved = await editorState(page.request, id);
  expect(saved.polygons.length).toBeGreaterThan(0);
  expect(iou(maskOf(saved.polygons, width, height), expected)).toBeGreaterThan(0.9);

  // Threshold over another part of the slice, as another class.
  await page.keyboard.press('Control+z');
  await savedWhen(page, id, (s) => s.polygons.length === 0);
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
  saved = await savedWhen(page, id, (s) => s.polygons.length > 0);
  const want = asStored(strokeMask(path, radius, raster, inRange(values, { low, high })), width, height);
  expect(saved.polygons.every((p) => p.lesionClass === 'C')).toBe(true);
  expect(iou(maskOf(saved.polygons, width, height), want)).toBeGreaterThan(0.9);
});

test('a freehand loop closed with an overshoot is repaired on release and saves as one polygon', async ({ page }) => {
  const { id, width, height } = await freshSlice(page);
  await page.keyboard.press('f');
  const [cx, cy, r] = [width * 0.5, height * 0.5, Math.min(width, height) * 0.15];
  const at = (deg: number, radius = r): Pt => [cx + radius * Math.cos((deg * Math.PI) / 180), cy + radius * Math.sin((deg * Math.PI) / 180)];
  // Round to 350°, then on past the start: out across the first stretch of the stroke and back in.
  const loop = [...Array.from({ length: 71 }, (_, k) => at(k * 5)), at(3, r * 1.08), at(8, r * 1.15), at(14, r * 0.9)];
  await page.mouse.move(...(await toPage(page, loop[0])));
  await page.mouse.down();
  for (const p of loop.slice(1)) await page.mouse.move(...(await toPage(page, p)));
  await page.mouse.up();
  const saved = await savedWhen(page, id, (s) => s.polygons.length > 0);
  expect(saved.polygons).toHaveLength(1);
  // The loop's area, not the sliver's.
  const mask = maskOf(saved.polygons, width, height);
  expect(mask.reduce((n, v) => n + v, 0)).toBeGreaterThan(Math.PI * r * r * 0.9);
});

test('a polygon the server would refuse is outlined and named; the other polygon and the slice class still save', async ({ page }) => {
  const { id, width, height } = await freshSlice(page);
  const [x0, y0, x1, y1] = [width * 0.55, height * 0.3, width * 0.75, height * 0.5];
  const before = await editorState(page.request, id); // imported slices may come with a slice class
  await page.keyboard.press('1');
  await page.keyboard.press('p');
  for (const p of [[width * 0.2, height * 0.3], [width * 0.4, height * 0.3], [width * 0.3, height * 0.45]] as Pt[]) await clickImage(page, p);
  await page.keyboard.press('Enter');
  await page.keyboard.press('2');
  for (const p of [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as Pt[]) await clickImage(page, p);
  await page.keyboard.press('Enter');
  await savedWhen(page, id, (s) => s.polygons.length === 2);

  // Drag the square's vertex 2 above the top edge: its edge to vertex 3 now crosses edge 0 (a bow tie).
  await page.keyboard.press('v');
  await clickImage(page, [(x0 + x1) / 2, (y0 + y1) / 2]);
  await page.mouse.move(...(await toPage(page, [x1, y1])));
  await page.mouse.down();
  await page.mouse.move(...(await toPage(page, [x1, y0 - (y1 - y0) / 2])), { steps: 6 });
  await page.mouse.up();
  await page.getByLabel('Slice class').selectOption('COVID-19');
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'error', { timeout: 15_000 });
  await expect(page.getByTestId('save-message')).toContainText('polygon 2 (C) intersects itself');
  await expect(page.getByTestId('save-message')).toContainText('everything else is saved');

  await expect.poll(async () => (await editorState(page.request, id)).sliceClass, { timeout: 15_000 }).toBe('COVID-19');
  const stored = await editorState(page.request, id);
  expect(stored.polygons.map((p) => p.lesionClass)).toEqual(['GGO', 'C']);
  // The square stays on the server as last saved until the bow tie is fixed.
  expect(stored.polygons[1].points).toHaveLength(4);
  expect(stored.polygons[1].points[2][1]).toBeCloseTo(y1, 0);

  // Undoing the slice class and the drag fixes it: everything saved, no message.
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  const fixed = await savedWhen(page, id, (s) => s.sliceClass === before.sliceClass);
  expect(fixed.polygons[1].points).toHaveLength(4);
  await expect(page.getByTestId('save-message')).toHaveCount(0);
});

test('window presets follow the slice’s units: HU windows on CT, display-value windows on 8-bit slices; the server refuses HU presets there', async ({ page }) => {
  await loginAs(page, 'ANNOTATOR');
  const kinds = await Promise.all(pool.slice(-30).map(async (id) => ({ id, kind: ((await editorState(page.request, id)) as unknown as { pixelKind: string }).pixelKind })));
  const display = kinds.find((s) => s.kind !== 'HU');
  const ct = kinds.find((s) => s.kind === 'HU');
  expect(display, 'the sample data has 8-bit slices').toBeDefined();

  await openEditor(page, display!.id);
  await expect(page.getByRole('button', { name: /^Lung/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'More contrast (M)' }).click();
  await expect(page.getByTestId('window-readout')).toHaveText('W 128 / L 96');
  await page.keyboard.press('l');
  await expect(page.getByTestId('window-readout')).toHaveText('W 256 / L 128');
  await page.mouse.move(...(await toPage(page, [10, 10])));
  await expect(page.getByTestId('pixel-readout')).toContainText('display value');
  const refused = await page.request.get(`/api/slices/${display!.id}/image?window=lung`);
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toMatch(/8-bit display values/);

  if (ct) {
    await openEditor(page, ct.id);
    await page.keyboard.press('l');
    await expect(page.getByTestId('window-readout')).toHaveText('W 1500 / L -600');
    expect((await page.request.get(`/api/slices/${ct.id}/image?window=lung`)).status()).toBe(200);
  }
});

test('the lesion list shows each polygon with its area; a locked polygon is out of the eraser’s reach until unlocked', async ({ page }) => {
  const { id, width, height } = await freshSlice(page);
  const [x0, y0] = [Math.round(width * 0.3), Math.round(height * 0.3)];
  await page.keyboard.press('p');
  for (const p of [[x0, y0], [x0 + 40, y0], [x0 + 40, y0 + 20], [x0, y0 + 20]] as Pt[]) await clickImage(page, p);
  await page.keyboard.press('Enter');
  await savedWhen(page, id, (s) => s.polygons.length === 1);
  const list = page.getByTestId('lesion-list');
  await expect(list.getByRole('row')).toHaveCount(2);
  const area = Number((await list.getByRole('row').nth(1).getByRole('cell').nth(2).innerText()).replace(/[^\d.]/g, ''));
  expect(Math.abs(area - 800)).toBeLessThan(40); // 40×20 px, drawn with screen-pixel clicks

  await page.getByLabel('Lock polygon 1').check();
  await page.keyboard.press('e');
  await stroke(page, [[x0 + 20, y0 - 10], [x0 + 20, y0 + 30]]);
  await expect(list.getByRole('row')).toHaveCount(2);
  await page.getByLabel('Lock polygon 1').uncheck();
  await stroke(page, [[x0 + 20, y0 - 10], [x0 + 20, y0 + 30]]);
  await expect(list.getByRole('row')).toHaveCount(3); // split in two
  await savedWhen(page, id, (s) => s.polygons.length === 2);
});
