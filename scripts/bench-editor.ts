/**
 * `npm run bench:editor`: how the annotation editor feels on a heavy slice. Builds a throw-away data folder with one
 * 512×512 HU slice carrying 200 polygons of 50 vertices (10,000 vertices), serves the app on it, and drives headless
 * Chromium to measure
 *  - frame time (input event → the frame showing its effect) while dragging a vertex, panning and wheel-zooming;
 *  - "Next slice" → the image and all polygons on screen.
 * Target (issue 3): median frame ≤ 16 ms, next slice ≤ 300 ms. Just figures; nothing is asserted. The last output
 * line is one JSON object with the figures.
 *
 *   npm run bench:editor            (env BENCH_KEEP_DATA=1 keeps the data folder for a look afterwards)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import playwrightConfig from '../playwright.config';
import { createDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import type { SaveRequest } from '../lib/annotations/schema';
import { saveSliceAnnotations } from '../lib/annotations/service';
import type { Point } from '../lib/imaging/contours';
import { writePixels } from '../lib/imaging/pixelStore';
import { WINDOW_PRESETS } from '../lib/imaging/window';
import { seedDemoUsers } from '../lib/users/demo';
import { findUserByEmail } from '../lib/users/service';
import { demoUser, login } from '../e2e/helpers';
import { toPage, type Pt } from '../e2e/editorHelpers';

const root = path.resolve(__dirname, '..');
const SIZE = 512;
const GRID = { cols: 20, rows: 10 };
const VERTICES = 50;
/** Ellipse radii (image px): each polygon stays inside its 25.6 × 51.2 px grid cell, so none overlap. */
const RADII = { x: 9, y: 20 };
const STEPS = 60;
const NEXT_SLICE_RUNS = 5;
const SERVER_TIMEOUT_MS = 15 * 60_000; // a stale build is rebuilt first: minutes on a busy 2-core machine

// ---------------------------------------------------------------- statistics

/** Nearest-rank quantile (q in [0, 1]) of the samples. */
function quantile(samples: number[], q: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const round1 = (x: number) => Math.round(x * 10) / 10;

// ---------------------------------------------------------------- the data

/** A chest-like HU slice: air outside, soft-tissue body, two lungs with some noise (deterministic). */
function syntheticSlice(): Int16Array {
  const hu = new Int16Array(SIZE * SIZE);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 60;
  const inside = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let v = -1000;
      if (inside(x, y, 256, 256, 230, 180)) v = 40;
      if (inside(x, y, 160, 250, 80, 130) || inside(x, y, 352, 250, 80, 130)) v = -850;
      hu[y * SIZE + x] = Math.round(v + noise());
    }
  }
  return hu;
}

/** Grid cell (col, row) → its polygon: a 50-vertex ellipse whose vertex 0 is the top. */
function cellCentre(col: number, row: number): Point {
  return [((col + 0.5) * SIZE) / GRID.cols, ((row + 0.5) * SIZE) / GRID.rows];
}
function ellipse([cx, cy]: Point): Point[] {
  return Array.from({ length: VERTICES }, (_, k) => {
    const a = -Math.PI / 2 + (2 * Math.PI * k) / VERTICES;
    return [round1(cx + RADII.x * Math.cos(a)), round1(cy + RADII.y * Math.sin(a))] as Point;
  });
}

/** Fresh data folder with the demo users and the one heavy slice the queue serves. */
async function prepareData(dataDir: string, databaseUrl: string): Promise<void> {
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl);
  try {
    await seedDemoUsers(db);
    const admin = await findUserByEmail(db, demoUser('ADMIN').email);
    if (!admin) throw new Error('the demo admin was not created');
    const stored = await writePixels({ kind: 'HU', width: SIZE, height: SIZE, pixels: syntheticSlice() }, dataDir);
    const study = await db.study.create({ data: { scanKey: 'bench-editor', source: 'bench', format: 'IMAGE' } });
    const lung = WINDOW_PRESETS.lung;
    const slice = await db.slice.create({
      data: {
        studyId: study.id, index: 0, width: SIZE, height: SIZE, pixelKind: 'HU', windowWidth: lung.width, windowLevel: lung.level,
        pixelPath: stored.path, contentHash: stored.contentHash, sourceFile: 'bench-editor/synthetic.png',
      },
    });
    const polygons: SaveRequest['polygons'] = [];
    for (let row = 0; row < GRID.rows; row++) {
      for (let col = 0; col < GRID.cols; col++) {
        polygons.push({ clientKey: `p${row}-${col}`, lesionClass: (row + col) % 2 ? 'C' : 'GGO', points: ellipse(cellCentre(col, row)), holes: [] });
      }
    }
    // The admin's save makes the slice IN_PROGRESS, which the queue still serves (and it is the only slice).
    await saveSliceAnnotations(db, slice.id, admin, { baseVersion: 0, polygons, sliceClass: null });
  } finally {
    await db.$disconnect();
  }
}

// ---------------------------------------------------------------- the app

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `tsx scripts/start.ts` in its own process group, so the app and its worker can be stopped together. */
function startApp(env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'scripts/start.ts'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

function stopApp(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function waitForServer(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + SERVER_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited (code ${child.exitCode}) before serving; its log:\n${tail(logFile)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the app did not answer ${url} within ${SERVER_TIMEOUT_MS / 60_000} min; its log:\n${tail(logFile)}`);
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------- in the page

declare global {
  interface Window {
    Konva?: { stages: KonvaStage[] };
    __frames?: { samples: number[]; pending: number; idle(): Promise<void>; reset(): void };
  }
}
interface KonvaStage {
  find(selector: string): unknown[];
  getLayers(): { _waitingForDraw?: boolean }[];
}

/** Clicks "Next slice" and times, in the page, until the image is shown and all polygons are drawn. */
async function timeNextSlice(page: Page, polygons: number): Promise<number> {
  return page.evaluate(
    ({ polygons }) =>
      new Promise<number>((resolve, reject) => {
        const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Next slice');
        if (!button) return reject(new Error('no "Next slice" button on /annotate'));
        const t0 = performance.now();
        const timeout = setTimeout(() => reject(new Error('the editor did not show the slice within 30 s')), 30_000);
        // The app navigates on the client (router.push), so this page context and its clock survive the click.
        const poll = () => {
          const ready = document.querySelector('[data-testid=editor-canvas]')?.getAttribute('data-ready') === '1';
          const stage = window.Konva?.stages[0];
          const drawn = stage ? stage.find('.annotation').length : 0;
          const waiting = stage?.getLayers().some((l) => l._waitingForDraw);
          if (!ready || drawn < polygons - 1 || waiting) return requestAnimationFrame(poll);
          // Drawn into the layers' canvases; one more frame puts them on screen.
          requestAnimationFrame(() => {
            clearTimeout(timeout);
            resolve(performance.now() - t0);
          });
        };
        button.click();
        requestAnimationFrame(poll);
      }),
    { polygons },
  );
}

/**
 * Frame-time recorder: a capture-phase listener stamps each mousemove/wheel and takes a sample after the frame that
 * shows its effect: requestAnimationFrame, then setTimeout (after that frame's paint). React applies some updates in a
 * task after the event, so the draw they schedule lands a frame later; while any Konva layer still has a draw
 * pending, the sample waits for the next frame too.
 */
function installFrameRecorder(): void {
  const state = { samples: [] as number[], pending: 0, waiters: [] as (() => void)[] };
  const pendingDraw = () => (window.Konva?.stages ?? []).some((s) => s.getLayers().some((l) => l._waitingForDraw));
  const settle = (t0: number) =>
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (pendingDraw()) return settle(t0);
        state.samples.push(performance.now() - t0);
        if (--state.pending === 0) state.waiters.splice(0).forEach((w) => w());
      }, 0),
    );
  const record = () => {
    state.pending++;
    settle(performance.now());
  };
  window.addEventListener('mousemove', record, { capture: true });
  window.addEventListener('wheel', record, { capture: true, passive: true });
  window.__frames = {
    samples: state.samples,
    get pending() {
      return state.pending;
    },
    idle: () => (state.pending === 0 ? Promise.resolve() : new Promise<void>((r) => state.waiters.push(r))),
    reset: () => void state.samples.splice(0),
  };
}

const nextFrame = (page: Page) => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0))));
const framesIdle = (page: Page) => page.evaluate(() => window.__frames!.idle());
const resetFrames = (page: Page) => page.evaluate(() => window.__frames!.reset());
const takeFrames = (page: Page) => page.evaluate(() => window.__frames!.samples.slice());

/** One input at a time: each step waits for its frame, so samples measure the work of one event, not a queue. */
async function stepwise(page: Page, steps: number, input: (k: number) => Promise<void>): Promise<number[]> {
  await framesIdle(page);
  await resetFrames(page);
  for (let k = 1; k <= steps; k++) {
    await input(k);
    await framesIdle(page);
  }
  return takeFrames(page);
}

async function stageBox(page: Page) {
  const box = await page.getByTestId('editor-canvas').locator('.konvajs-content').boundingBox();
  if (!box) throw new Error('the editor stage is not on screen');
  return box;
}

async function measureDrag(page: Page): Promise<number[]> {
  await page.keyboard.press('v');
  const centre = cellCentre(GRID.cols / 2, GRID.rows / 2);
  await page.mouse.click(...(await toPage(page, centre)));
  await page.waitForFunction(() => (window.Konva?.stages[0]?.find('.vertex').length ?? 0) > 0, undefined, { timeout: 10_000 });
  const topVertex = ellipse(centre)[0];
  const [vx, vy] = await toPage(page, topVertex);
  await page.mouse.move(vx, vy);
  await page.mouse.down();
  // Upwards by a third of a screen pixel a step: the ring stays simple and clear of its neighbours.
  const samples = await stepwise(page, STEPS, (k) => page.mouse.move(vx, vy - k / 3));
  await page.mouse.up();
  await nextFrame(page);
  // Handles of neighbouring vertices overlap at this zoom: the topmost one under the pointer is the one dragged.
  const top = await page.evaluate(() => Math.min(...(window.Konva?.stages[0]?.find('.vertex') ?? []).map((v) => (v as { y(): number }).y())));
  if (!(top < topVertex[1] - 1)) throw new Error(`the vertex drag did not move a vertex (top y ${top}, was ${topVertex[1]})`);
  await page.keyboard.press('Escape');
  return samples;
}

async function measurePan(page: Page): Promise<number[]> {
  const box = await stageBox(page);
  const [x0, y0] = [box.x + box.width * 0.3, box.y + box.height * 0.5];
  const viewX = () => page.getByTestId('editor-canvas').getAttribute('data-x').then(Number);
  const before = await viewX();
  await page.mouse.move(x0, y0);
  await page.keyboard.down('Space');
  await nextFrame(page); // the editor switches to panning on its next render
  await page.mouse.down();
  const samples = await stepwise(page, STEPS, (k) => page.mouse.move(x0 + 4 * k, y0 + k));
  await page.mouse.up();
  await page.keyboard.up('Space');
  if ((await viewX()) - before < STEPS * 2) throw new Error('the pan did not move the view');
  return samples;
}

async function measureZoom(page: Page): Promise<number[]> {
  const box = await stageBox(page);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  return stepwise(page, STEPS, (k) => page.mouse.wheel(0, k % 2 ? -100 : 100));
}

// ---------------------------------------------------------------- main

interface Figures {
  dragFrameMsMedian: number;
  dragFrameMsP95: number;
  panFrameMsMedian: number;
  panFrameMsP95: number;
  zoomFrameMsMedian: number;
  zoomFrameMsP95: number;
  nextSliceMs: number;
  nextSliceMsRuns: number[];
  nextSliceColdMs: number;
  polygons: number;
  vertices: number;
  chromium: string;
  cpu: string;
  cores: number;
  loadAvg1m: number;
}

async function bench(baseURL: string, browser: Browser): Promise<Figures> {
  const loadAvg1m = os.loadavg()[0]; // other work on the machine skews frame times: reported with them
  const context = await browser.newContext({ baseURL, viewport: { width: 1400, height: 900 } });
  // tsx (esbuild, keepNames) wraps named functions in __name(...): functions sent to page.evaluate need it there too.
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  const page = await context.newPage();
  const annotator = demoUser('ANNOTATOR');
  await login(page, annotator.email, annotator.password);
  await page.getByTestId('current-user').waitFor({ timeout: 30_000 });

  const polygons = GRID.cols * GRID.rows;
  const nextSlice = async () => {
    await page.goto('/annotate'); // the lease resumes the same slice every time
    await page.getByRole('button', { name: 'Next slice' }).waitFor();
    await page.waitForLoadState('networkidle');
    return timeNextSlice(page, polygons);
  };
  // The first visit loads the server's route code and database client: seconds that say nothing about the editor.
  const nextSliceColdMs = await nextSlice();
  const nextSliceMsRuns: number[] = [];
  for (let run = 0; run < NEXT_SLICE_RUNS; run++) nextSliceMsRuns.push(await nextSlice());
  const drawn = await page.evaluate(() => window.Konva?.stages[0]?.find('.annotation').length ?? 0);
  if (drawn !== polygons) throw new Error(`the editor drew ${drawn} polygons, expected ${polygons}`);

  await page.evaluate(installFrameRecorder);
  const drag = await measureDrag(page);
  const pan = await measurePan(page);
  const zoom = await measureZoom(page);
  await context.close();

  return {
    dragFrameMsMedian: round1(quantile(drag, 0.5)),
    dragFrameMsP95: round1(quantile(drag, 0.95)),
    panFrameMsMedian: round1(quantile(pan, 0.5)),
    panFrameMsP95: round1(quantile(pan, 0.95)),
    zoomFrameMsMedian: round1(quantile(zoom, 0.5)),
    zoomFrameMsP95: round1(quantile(zoom, 0.95)),
    nextSliceMs: round1(quantile(nextSliceMsRuns, 0.5)),
    nextSliceMsRuns: nextSliceMsRuns.map(round1),
    nextSliceColdMs: round1(nextSliceColdMs),
    polygons,
    vertices: polygons * VERTICES,
    chromium: browser.version(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    loadAvg1m: round1(loadAvg1m),
  };
}

function printTable(f: Figures): void {
  const ok = (x: number, target: number) => (x <= target ? 'ok' : 'MISSED');
  console.log(`\nEditor benchmark: ${f.polygons} polygons, ${f.vertices} vertices; Chromium ${f.chromium}; ${f.cpu} × ${f.cores}, load ${f.loadAvg1m}`);
  console.log('measure               median    p95   target');
  const row = (name: string, median: number, p95: number | null, target: number) =>
    console.log(`${name.padEnd(20)} ${median.toFixed(1).padStart(7)} ${p95 === null ? '      –' : p95.toFixed(1).padStart(6)}   ≤ ${target} ms ${ok(median, target)}`);
  row('drag frame (ms)', f.dragFrameMsMedian, f.dragFrameMsP95, 16);
  row('pan frame (ms)', f.panFrameMsMedian, f.panFrameMsP95, 16);
  row('zoom frame (ms)', f.zoomFrameMsMedian, f.zoomFrameMsP95, 16);
  row('next slice (ms)', f.nextSliceMs, null, 300);
  console.log(`next-slice runs: ${f.nextSliceMsRuns.join(', ')} ms (after a first, cold one of ${f.nextSliceColdMs} ms)`);
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ctms-bench-editor-'));
  const databaseUrl = `file:${path.join(dataDir, 'ctms.db')}`;
  const logFile = path.join(dataDir, 'app.log');
  let app: ChildProcess | null = null;
  let browser: Browser | null = null;
  const stop = () => app && stopApp(app);
  const cleanUp = () => !process.env.BENCH_KEEP_DATA && rmSync(dataDir, { recursive: true, force: true });
  const onSignal = () => {
    stop();
    cleanUp();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    console.log(`[bench] data folder ${dataDir}`);
    await prepareData(dataDir, databaseUrl);
    const port = await freePort();
    const baseURL = `http://localhost:${port}`;
    app = startApp(
      { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: databaseUrl, NEXTAUTH_URL: baseURL, NEXTAUTH_SECRET: 'bench-secret-not-for-production-0123456789' },
      logFile,
    );
    console.log(`[bench] starting the app on ${baseURL} (builds first if the build is stale; log in ${logFile})`);
    await waitForServer(`${baseURL}/login`, app, logFile);

    const launch = playwrightConfig.use?.launchOptions ?? {};
    // Uncapped frames: at 60 Hz every input would wait for the next vsync whatever the editor does. This Chromium
    // keeps a 60 Hz frame clock with the first two flags alone; the third makes it produce frames back to back.
    const uncapped = ['--disable-gpu-vsync', '--disable-frame-rate-limit', '--run-all-compositor-stages-before-draw'];
    browser = await chromium.launch({ ...launch, headless: true, args: [...(launch.args ?? []), ...uncapped] });
    const figures = await bench(baseURL, browser);
    printTable(figures);
    console.log(JSON.stringify(figures));
  } finally {
    await browser?.close().catch(() => undefined);
    stop();
    cleanUp();
  }
}

main().catch((error) => {
  console.error(`[bench] ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
