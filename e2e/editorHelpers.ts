import { expect, type APIRequestContext, type Page } from '@playwright/test';

export type Pt = [number, number];

export interface ApiPolygon {
  id: string;
  lesionClass: 'GGO' | 'C';
  points: Pt[];
  holes: Pt[][];
}

export interface ApiEditorState {
  sliceId: string;
  version: number;
  width: number;
  height: number;
  polygons: ApiPolygon[];
  sliceClass: string | null;
  unsure: boolean;
}

/** Unlabelled slices, largest first, so tests each take their own. */
export async function unlabelledSlices(request: APIRequestContext): Promise<string[]> {
  const res = await request.get('/api/slices?status=UNLABELLED&pageSize=200');
  expect(res.ok()).toBe(true);
  const body = (await res.json()) as { slices: { id: string; width: number }[] };
  return body.slices.map((s) => s.id);
}

export async function editorState(request: APIRequestContext, sliceId: string): Promise<ApiEditorState> {
  const res = await request.get(`/api/slices/${sliceId}/annotations`);
  expect(res.ok()).toBe(true);
  return res.json();
}

export async function openEditor(page: Page, sliceId: string) {
  await page.goto(`/annotate/${sliceId}`);
  await expect(page.getByTestId('editor-canvas')).toHaveAttribute('data-ready', '1');
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
}

/** The editor's current view (scale and translation of the image on the stage), as its canvas exposes it. */
export async function editorView(page: Page): Promise<{ scale: number; x: number; y: number }> {
  const canvas = page.getByTestId('editor-canvas');
  const [scale, x, y] = await Promise.all(['data-scale', 'data-x', 'data-y'].map(async (a) => Number(await canvas.getAttribute(a))));
  return { scale, x, y };
}

/** Page coordinates of an image point under the editor's current view. */
export async function toPage(page: Page, p: Pt): Promise<Pt> {
  // The stage's own box: the container has a border, so its box is off by a pixel.
  const box = (await page.getByTestId('editor-canvas').locator('.konvajs-content').boundingBox())!;
  const { scale, x, y } = await editorView(page);
  return [box.x + x + p[0] * scale, box.y + y + p[1] * scale];
}

export async function clickImage(page: Page, p: Pt) {
  const [x, y] = await toPage(page, p);
  await page.mouse.click(x, y);
}

export async function waitSaved(page: Page) {
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved', { timeout: 15_000 });
}

/** Draws a polygon with the polygon tool by clicking its vertices and pressing Enter. */
export async function drawPolygon(page: Page, points: Pt[]) {
  await page.keyboard.press('p');
  for (const p of points) await clickImage(page, p);
  await page.keyboard.press('Enter');
}

export function expectClose(actual: Pt[], expected: Pt[], tolerance: number) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((p, k) => {
    expect(Math.abs(p[0] - expected[k][0]), `vertex ${k} x`).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(p[1] - expected[k][1]), `vertex ${k} y`).toBeLessThanOrEqual(tolerance);
  });
}
