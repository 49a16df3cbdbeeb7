import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createDb } from '../lib/db/client';
import { login, loginAs } from './helpers';
import { clickImage, drawPolygon, editorState, editorView, expectClose, openEditor, toPage, unlabelledSlices, waitSaved, type Pt } from './editorHelpers';

// One slice per test, taken from the unlabelled pool in order, so tests never share work.
let pool: string[] = [];
const take = () => {
  const id = pool.shift();
  if (!id) throw new Error('the sample data has too few unlabelled slices for the editor tests');
  return id;
};

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await loginAs(page, 'ANNOTATOR');
  pool = await unlabelledSlices(page.request);
  await page.close();
});

/** Signs in as the demo annotator and opens the next slice of the pool in the editor. */
async function annotateFreshSlice(page: Page): Promise<{ id: string; width: number; height: number }> {
  await loginAs(page, 'ANNOTATOR');
  const id = take();
  await openEditor(page, id);
  const { width, height } = await editorState(page.request, id);
  return { id, width, height };
}

/** The triangle the vertex-editing tests start from, in image coordinates. */
const triangle = (width: number, height: number): Pt[] => [[width * 0.3, height * 0.3], [width * 0.6, height * 0.3], [width * 0.45, height * 0.6]];

/** A fresh annotator account (created by the demo admin), for tests that need several people. */
async function newAnnotator(browser: Browser, name: string): Promise<Page> {
  const admin = await browser.newPage();
  await loginAs(admin, 'ADMIN');
  const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${Date.now()}@example.org`;
  const res = await admin.request.post('/api/users', { data: { email, name, role: 'ANNOTATOR', password: 'annotate-me-please' } });
  expect(res.status()).toBe(201);
  await admin.close();
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, email, 'annotate-me-please');
  await expect(page.getByTestId('current-user')).toContainText(name);
  return page;
}

test('draw a polygon and a freehand shape, set classes and slice class, reload: all persisted exactly', async ({ page }) => {
  const { id, width, height } = await annotateFreshSlice(page);
  const poly: Pt[] = [[width * 0.2, height * 0.2], [width * 0.4, height * 0.22], [width * 0.38, height * 0.4], [width * 0.22, height * 0.38]];
  await page.keyboard.press('1');
  await drawPolygon(page, poly);

  // Freehand: a circle traced with the mouse, class C.
  await page.keyboard.press('2');
  await page.keyboard.press('f');
  const centre: Pt = [width * 0.65, height * 0.6];
  const r = Math.min(width, height) * 0.1;
  const start = await toPage(page, [centre[0] + r, centre[1]]);
  await page.mouse.move(...start);
  await page.mouse.down();
  for (let k = 1; k <= 48; k++) {
    const a = (2 * Math.PI * k) / 48;
    await page.mouse.move(...(await toPage(page, [centre[0] + r * Math.cos(a), centre[1] + r * Math.sin(a)])));
  }
  await page.mouse.up();
  await page.getByLabel('Slice class').selectOption('COVID-19');
  await waitSaved(page);

  const saved = await editorState(page.request, id);
  expect(saved.sliceClass).toBe('COVID-19');
  expect(saved.polygons.map((p) => p.lesionClass)).toEqual(['GGO', 'C']);
  const scale = Number(await page.getByTestId('editor-canvas').getAttribute('data-scale'));
  expectClose(saved.polygons[0].points, poly, 1.5 / scale);
  const traced = saved.polygons[1].points;
  expect(traced.length).toBeGreaterThanOrEqual(8);
  for (const [x, y] of traced) expect(Math.abs(Math.hypot(x - centre[0], y - centre[1]) - r)).toBeLessThan(2 / scale + r * 0.02);

  await page.reload();
  await openEditor(page, id);
  await expect(page.getByRole('button', { name: 'GGO (1)' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'C (1)' })).toBeVisible();
  await expect(page.getByLabel('Slice class')).toHaveValue('COVID-19');
  const reloaded = await editorState(page.request, id);
  expect(reloaded.polygons.map(({ lesionClass, points, holes }) => ({ lesionClass, points, holes }))).toEqual(saved.polygons.map(({ lesionClass, points, holes }) => ({ lesionClass, points, holes })));
});

test('move and insert vertices, then undo and redo to known states', async ({ page }) => {
  const { id, width, height } = await annotateFreshSlice(page);
  const tri = triangle(width, height);
  await drawPolygon(page, tri);
  await waitSaved(page);
  const scale = Number(await page.getByTestId('editor-canvas').getAttribute('data-scale'));
  const tol = 1.5 / scale;

  // Select tool; click inside the polygon to select it, then drag vertex 0 to a new place.
  await page.keyboard.press('v');
  await clickImage(page, [width * 0.45, height * 0.38]);
  const moved: Pt = [width * 0.25, height * 0.2];
  await page.mouse.move(...(await toPage(page, tri[0])));
  await page.mouse.down();
  await page.mouse.move(...(await toPage(page, [(tri[0][0] + moved[0]) / 2, (tri[0][1] + moved[1]) / 2])), { steps: 4 });
  await page.mouse.move(...(await toPage(page, moved)), { steps: 4 });
  await page.mouse.up();
  await waitSaved(page);
  let state = await editorState(page.request, id);
  expectClose(state.polygons[0].points, [moved, tri[1], tri[2]], tol);

  // Insert a vertex by clicking the middle of edge 1→2.
  const mid: Pt = [(tri[1][0] + tri[2][0]) / 2, (tri[1][1] + tri[2][1]) / 2];
  await clickImage(page, mid);
  await waitSaved(page);
  state = await editorState(page.request, id);
  expectClose(state.polygons[0].points, [moved, tri[1], mid, tri[2]], tol);

  // Undo both edits: the original triangle. Redo both: back to four vertices.
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await waitSaved(page);
  state = await editorState(page.request, id);
  expectClose(state.polygons[0].points, tri, tol);
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  await waitSaved(page);
  state = await editorState(page.request, id);
  expectClose(state.polygons[0].points, [moved, tri[1], mid, tri[2]], tol);
});

/** Largest alpha of the annotation layers' canvases (all but the image layer) at an image point, under the current view. */
async function annotationAlphaAt(page: Page, p: Pt): Promise<number> {
  const [x, y] = await toPage(page, p);
  return page.evaluate(([px, py]) => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="editor-canvas"] .konvajs-content canvas')].slice(1);
    let alpha = 0;
    for (const c of canvases) {
      const box = c.getBoundingClientRect();
      const ratio = c.width / box.width;
      const data = c.getContext('2d')!.getImageData(Math.round((px - box.left) * ratio), Math.round((py - box.top) * ratio), 1, 1).data;
      alpha = Math.max(alpha, data[3]);
    }
    return alpha;
  }, [x, y] as const);
}

test('wheel zoom keeps the point under the cursor, pan follows the mouse, and the polygons are drawn and editable where they belong', async ({ page }) => {
  const { id, width, height } = await annotateFreshSlice(page);
  const tri = triangle(width, height);
  await drawPolygon(page, tri);
  // A second polygon: drawing it leaves the first one unselected, drawn with the layer the view moves as a whole.
  const other: Pt[] = [[width * 0.7, height * 0.7], [width * 0.8, height * 0.7], [width * 0.75, height * 0.8]];
  await drawPolygon(page, other);
  await waitSaved(page);
  await page.keyboard.press('v');
  const canvas = page.getByTestId('editor-canvas');
  const inside: Pt = [width * 0.45, height * 0.4];
  const outside: Pt = [width * 0.45, height * 0.2];

  // Zoom in around a point inside the polygon: that image point stays under the cursor.
  const { scale: scale0 } = await editorView(page);
  const cursor = await toPage(page, inside);
  await page.mouse.move(...cursor);
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -200);
  await expect.poll(async () => (await editorView(page)).scale).toBeGreaterThan(scale0 * 1.2);
  const after = await toPage(page, inside);
  expect(Math.abs(after[0] - cursor[0])).toBeLessThan(2);
  expect(Math.abs(after[1] - cursor[1])).toBeLessThan(2);

  // Pan with space + drag: the view moves with the mouse.
  const { x: x0, y: y0 } = await editorView(page);
  await page.keyboard.down('Space');
  await page.mouse.down();
  await page.mouse.move(cursor[0] + 60, cursor[1] + 40, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up('Space');
  const { x: x1, y: y1 } = await editorView(page);
  expect(x1 - x0).toBeCloseTo(60, 0);
  expect(y1 - y0).toBeCloseTo(40, 0);
  // Releasing the pan over the polygon did not select it.
  await expect(canvas).toHaveAttribute('data-selected', '');

  // Right after the gesture and once it has rested, the polygon is drawn at its new place on screen, and
  // nothing is drawn outside it.
  expect(await annotationAlphaAt(page, inside)).toBeGreaterThan(0);
  await page.waitForTimeout(500);
  expect(await annotationAlphaAt(page, inside)).toBeGreaterThan(0);
  expect(await annotationAlphaAt(page, outside)).toBe(0);

  // And it is still editable under the new view: select it, drag vertex 0.
  const { scale } = await editorView(page);
  await clickImage(page, inside);
  const moved: Pt = [width * 0.35, height * 0.25];
  await page.mouse.move(...(await toPage(page, tri[0])));
  await page.mouse.down();
  await page.mouse.move(...(await toPage(page, moved)), { steps: 6 });
  await page.mouse.up();
  await waitSaved(page);
  const state = await editorState(page.request, id);
  expect(state.polygons).toHaveLength(2);
  // Within 4 screen pixels (mouse positions are whole pixels, and the drag starts within the vertex's grab radius).
  expectClose(state.polygons[0].points, [moved, tri[1], tri[2]], 4 / scale);
});

test('two people on one slice (a reviewer correcting what an annotator holds): the later save gets the conflict UI, and nothing of either is lost', async ({ page, browser }) => {
  await loginAs(page, 'ANNOTATOR');
  const other = await (await browser.newContext()).newPage();
  await loginAs(other, 'REVIEWER');
  const id = take();
  await openEditor(page, id);
  await openEditor(other, id);
  const { width, height } = await editorState(page.request, id);

  await drawPolygon(page, [[width * 0.1, height * 0.1], [width * 0.3, height * 0.1], [width * 0.2, height * 0.3]]);
  await waitSaved(page);
  await drawPolygon(other, [[width * 0.6, height * 0.6], [width * 0.8, height * 0.6], [width * 0.7, height * 0.8]]);
  await expect(other.getByTestId('conflict-banner')).toBeVisible();
  await expect(other.getByTestId('save-status')).toHaveAttribute('data-status', 'conflict');
  await other.getByRole('button', { name: 'Keep mine as a new revision' }).click();
  await waitSaved(other);

  // The database holds both people's polygons: the current one, and the first one in the revision history.
  const db = createDb(`file:${path.resolve('.e2e-data/ctms.db')}`);
  try {
    // people's polygons (the base model's proposals on the slice have no author)
    const rows = await db.annotation.findMany({ where: { sliceId: id, source: { not: 'MODEL' } }, include: { author: true, revisions: true } });
    const authors = new Set(rows.map((r) => r.author?.name));
    expect(authors).toEqual(new Set(['Ada Annotator', 'Rei Reviewer']));
    expect(rows.every((r) => r.revisions.some((v) => v.action === 'CREATE'))).toBe(true);
  } finally {
    await db.$disconnect();
  }
  await other.context().close();
});

test('a slice leased to one annotator opens read-only for another, whose saves and submits are refused', async ({ page, browser }) => {
  const { id } = await annotateFreshSlice(page);
  const other = await newAnnotator(browser, 'Lease Lena');
  await other.goto(`/annotate/${id}`);
  await expect(other.getByTestId('readonly-banner')).toContainText('Ada Annotator is working on this slice');
  const before = await editorState(page.request, id);
  const put = await other.request.put(`/api/slices/${id}/annotations`, { data: { baseVersion: before.version, polygons: [{ clientKey: 'x', lesionClass: 'GGO', points: [[1, 1], [9, 1], [9, 9]] }], sliceClass: null } });
  expect(put.status()).toBe(423);
  expect((await put.json()).error).toMatch(/Ada Annotator is working on it/);
  const submit = await other.request.post(`/api/slices/${id}/submit`, { data: { baseVersion: before.version } });
  expect(submit.status()).toBe(423);
  expect(await editorState(page.request, id)).toEqual(before);
  // The holder's own work goes on.
  await drawPolygon(page, [[5, 5], [25, 5], [15, 25]]);
  await waitSaved(page);
  await other.context().close();
});

test('edits made while the server is unreachable are kept and arrive after a reload', async ({ page }) => {
  const { id, width, height } = await annotateFreshSlice(page);
  await page.route('**/api/slices/*/annotations', (route) => (route.request().method() === 'PUT' ? route.abort('internetdisconnected') : route.continue()));
  const poly: Pt[] = [[width * 0.4, height * 0.4], [width * 0.6, height * 0.45], [width * 0.5, height * 0.6]];
  await drawPolygon(page, poly);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'offline');
  expect((await editorState(page.request, id)).polygons).toHaveLength(0);
  const pending = await page.evaluate((key) => localStorage.getItem(key), `ctms:pending:${id}`);
  expect(pending).toContain('"points"');

  await page.unroute('**/api/slices/*/annotations');
  await page.reload();
  await expect.poll(async () => (await editorState(page.request, id)).polygons.length, { timeout: 15_000 }).toBe(1);
  await waitSaved(page);
  const state = await editorState(page.request, id);
  const scale = Number(await page.getByTestId('editor-canvas').getAttribute('data-scale'));
  expectClose(state.polygons[0].points, poly, 1.5 / scale);
  expect(await page.evaluate((key) => localStorage.getItem(key), `ctms:pending:${id}`)).toBeNull();
});

test('two annotators pressing "Next slice" at the same time get different slices', async ({ browser }) => {
  const [a, b] = await Promise.all([newAnnotator(browser, 'Queue Quinn'), newAnnotator(browser, 'Queue Quade')]);
  await Promise.all([a.goto('/annotate'), b.goto('/annotate')]);
  await Promise.all([a.getByRole('button', { name: 'Next slice' }).click(), b.getByRole('button', { name: 'Next slice' }).click()]);
  await Promise.all([a.waitForURL(/\/annotate\/[^/?]+$/), b.waitForURL(/\/annotate\/[^/?]+$/)]);
  expect(a.url()).not.toBe(b.url());
  await Promise.all([a.context().close(), b.context().close()]);
});

test('bad polygons sent straight to the API get 400 and store nothing', async ({ page }) => {
  await loginAs(page, 'ANNOTATOR');
  const id = take();
  const before = await editorState(page.request, id);
  const put = (polygons: unknown[]) => page.request.put(`/api/slices/${id}/annotations`, { data: { baseVersion: before.version, polygons, sliceClass: null } });
  const cases: [string, unknown[], RegExp][] = [
    ['two vertices', [{ clientKey: 'a', lesionClass: 'GGO', points: [[1, 1], [5, 5]] }], /at least 3/],
    ['self-intersecting', [{ clientKey: 'a', lesionClass: 'GGO', points: [[0, 0], [20, 20], [20, 0], [0, 20]] }], /intersects itself/],
    ['outside the image', [{ clientKey: 'a', lesionClass: 'C', points: [[0, 0], [before.width + 50, 0], [0, 10]] }], /outside/],
    ['not numbers', [{ clientKey: 'a', lesionClass: 'C', points: [['x', 0], [5, 0], [0, 5]] }], /Invalid/],
    ['unknown class', [{ clientKey: 'a', lesionClass: 'LESION', points: [[0, 0], [5, 0], [0, 5]] }], /Invalid/],
    ['too many vertices', [{ clientKey: 'a', lesionClass: 'GGO', points: Array.from({ length: 2500 }, (_, k) => [10 + 5 * Math.cos(k / 400), 10 + 5 * Math.sin(k / 400)]) }], /Invalid|at most/],
  ];
  for (const [name, polygons, message] of cases) {
    const res = await put(polygons);
    expect(res.status(), name).toBe(400);
    expect((await res.json()).error, name).toMatch(message);
  }
  const malformed = await page.request.put(`/api/slices/${id}/annotations`, { headers: { 'content-type': 'application/json' }, data: '{"baseVersion": 0, "polygons": [' });
  expect(malformed.status()).toBe(400);
  const after = await editorState(page.request, id);
  expect(after.version).toBe(before.version);
  expect(after.polygons).toEqual(before.polygons);
});
