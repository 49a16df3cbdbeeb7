import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/client';
import { labelIoU, polygonsToLabelMap } from '@/lib/imaging/contours';
import { readPixels } from '@/lib/imaging/pixelStore';
import { dicomBytes, greyPng, niftiBytes, palettePng } from '@/lib/testing/ctFixtures';
import { testPostgres } from '@/lib/testing/postgres';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { DEFAULT_CLASS_ALIASES } from '@/lib/classes/aliases';
import { setClassAliases } from '@/lib/classes/aliasSettings';
import { ImportError, importPath, type ImportSummary } from './importPath';

let work: string;
let storage: string;
let t: TestDb;
beforeEach(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-import-'));
  storage = path.join(work, 'store');
  t = await createTestDb('sqlite');
});
afterEach(async () => {
  await t.cleanup();
  await fs.rm(work, { recursive: true, force: true });
});

async function put(rel: string, bytes: Uint8Array | string): Promise<string> {
  const file = path.join(work, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
  return file;
}

async function storedFiles(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(storage, p).split(path.sep).join('/'));
    }
  };
  await walk(storage);
  return out.sort();
}

/** Every stored file is referenced by a slice and vice versa: no orphans, no dangling rows. */
async function expectStoreMatchesDb(db: Db): Promise<void> {
  const paths = [...new Set((await db.slice.findMany({ select: { pixelPath: true } })).map((s) => s.pixelPath))].sort();
  expect(await storedFiles()).toEqual(paths);
}

/** A 4×3 series of 5 slices; the k-th file (by position, caudal first) holds HU −1000 + 100k + 2·pixel index. */
async function writeSeries(dir: string, uid = '2.25.777'): Promise<number[][]> {
  const zs = [-40, -37.5, -35, -32.5, -30]; // cranial = −30 → index 0
  const names = ['x3.dcm', 'x1.dcm', 'x5.dcm', 'x2.dcm', 'x4.dcm']; // file order unrelated to position
  const expectedByIndex: number[][] = [];
  for (let k = 0; k < zs.length; k++) {
    const hu = Array.from({ length: 12 }, (_, p) => -1000 + 100 * k + 2 * p); // even, so (hu + 1024)/2 is exact
    expectedByIndex[zs.length - 1 - k] = hu;
    const stored = Int16Array.from(hu, (v) => (v + 1024) / 2); // slope 2, intercept −1024
    await put(path.join(dir, names[k]), dicomBytes({ rows: 3, cols: 4, stored, slope: 2, intercept: -1024, position: [0, 0, zs[k]], orientation: [1, 0, 0, 0, 1, 0], instanceNumber: 5 - k, seriesUid: uid, window: { width: 400, level: 40 } }));
  }
  return expectedByIndex;
}

const run = (input: string, opts: Parameters<typeof importPath>[2] = {}, onProgress?: Parameters<typeof importPath>[3]) =>
  importPath(t.db, input, { dataDir: storage, ...opts }, onProgress);
/** Tiny synthetic lesions: keep every pixel (the default minArea drops specks this small). */
const exact = { tolerance: 0, minArea: 0 };

describe('importPath: DICOM', () => {
  it('imports a shuffled series in position order with exact HU, and re-importing adds nothing', async () => {
    const expected = await writeSeries('series');
    const progress: number[] = [];
    const first = await run(path.join(work, 'series'), {}, (p) => progress.push(p.done));
    expect(first).toMatchObject({ files: 5, studies: 1, slicesAdded: 5, slicesSkipped: 0, annotationsAdded: 0, errors: [] });
    expect(progress).toEqual([1, 2, 3, 4, 5]);

    const study = await t.db.study.findFirstOrThrow({ include: { slices: { orderBy: { index: 'asc' } } } });
    expect(study).toMatchObject({ scanKey: '2.25.777', source: 'import', format: 'dicom', patientId: 'TEST-1' });
    expect(study.slices.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
    expect(study.slices.map((s) => path.basename(s.sourceFile))).toEqual(['x4.dcm', 'x2.dcm', 'x5.dcm', 'x1.dcm', 'x3.dcm']);
    for (const s of study.slices) {
      expect(s).toMatchObject({ pixelKind: 'HU', width: 4, height: 3, windowWidth: 400, windowLevel: 40, status: 'UNLABELLED' });
      const img = await readPixels(s.pixelPath, storage, { verifyHash: true });
      expect(Array.from(img.pixels)).toEqual(expected[s.index]);
    }

    const again = await run(path.join(work, 'series'));
    expect(again).toMatchObject({ slicesAdded: 0, slicesSkipped: 5, errors: [] });
    expect(await t.db.slice.count()).toBe(5);
    expect(await t.db.study.count()).toBe(1);
    await expectStoreMatchesDb(t.db);
  });

  it('attaches a PNG mask to the DICOM slice of the same base name, and refuses one of another size', async () => {
    await writeSeries('series');
    const labels = new Uint8Array(12);
    labels.set([1, 1, 2, 2], 4); // the middle row of the 4×3 slice
    await put('masks/x5.png', palettePng(4, 3, labels));
    await put('masks/x1.png', palettePng(3, 3, new Uint8Array(9)));
    const summary = await run(path.join(work, 'series'), { masksDir: path.join(work, 'masks'), contour: exact });
    expect(summary.slicesAdded).toBe(4);
    expect(summary.errors).toEqual([{ file: path.join(work, 'series', 'x1.dcm'), message: 'mask x1.png is 3×3 but the image is 4×3' }]);
    const masked = await t.db.slice.findFirstOrThrow({ where: { sourceFile: { endsWith: 'x5.dcm' } }, include: { annotations: true } });
    expect(masked.status).toBe('ACCEPTED');
    expect(masked.annotations.map((a) => a.lesionClass).sort()).toEqual(['C', 'GGO']);
  });

  it('imports the rest of a series when one file is corrupt, naming that file', async () => {
    await writeSeries('series');
    const good = await fs.readFile(path.join(work, 'series', 'x2.dcm'));
    await put('series/x2.dcm', good.subarray(0, good.length - 7));
    await put('series/jpeg.dcm', dicomBytes({ rows: 3, cols: 4, stored: new Int16Array(12), transferSyntax: '1.2.840.10008.1.2.4.70', seriesUid: '2.25.777' }));
    const summary = await run(path.join(work, 'series'));
    expect(summary.slicesAdded).toBe(4);
    expect(summary.errors).toEqual([
      { file: path.join(work, 'series', 'jpeg.dcm'), message: expect.stringMatching(/^unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.70/) },
      { file: path.join(work, 'series', 'x2.dcm'), message: expect.stringMatching(/^corrupt or truncated DICOM/) },
    ]);
    expect(await t.db.slice.count({ where: { sourceFile: { endsWith: 'x2.dcm' } } })).toBe(0);
    await expectStoreMatchesDb(t.db);
  });
});

describe('importPath: NIfTI', () => {
  const [nx, ny, nz] = [6, 5, 3];
  const volume = (shift = 0) => Array.from({ length: nx * ny * nz }, (_, p) => -900 + p * 3 + shift);
  // Label volume: slice 1 holds a 3×3 GGO block with a C pixel in its middle; slices 0 and 2 are empty.
  const labels = () => {
    const l = new Array(nx * ny * nz).fill(0);
    for (let j = 1; j <= 3; j++) for (let i = 1; i <= 3; i++) l[nx * ny + j * nx + i] = 1;
    l[nx * ny + 2 * nx + 2] = 2;
    return l;
  };

  it.each([
    ['vol.nii', false],
    ['vol.nii.gz', true],
  ])('imports %s as HU slices with polygons from a label volume', async (name, gzip) => {
    await put(`in/${name}`, niftiBytes({ dims: [nx, ny, nz], datatype: 'int16', data: volume(), gzip }));
    await put(`masks/${name}`, niftiBytes({ dims: [nx, ny, nz], datatype: 'uint8', data: labels(), gzip }));
    const summary = await run(path.join(work, 'in'), { masksDir: path.join(work, 'masks'), contour: exact });
    expect(summary).toMatchObject({ files: 1, slicesAdded: 3, annotationsAdded: 2, errors: [] });
    const slices = await t.db.slice.findMany({ orderBy: { index: 'asc' }, include: { annotations: { include: { revisions: true } } } });
    expect(slices.map((s) => s.status)).toEqual(['UNLABELLED', 'ACCEPTED', 'UNLABELLED']);
    for (const s of slices) {
      const img = await readPixels(s.pixelPath, storage);
      expect(Array.from(img.pixels)).toEqual(volume().slice(s.index * nx * ny, (s.index + 1) * nx * ny));
      expect([s.windowWidth, s.windowLevel]).toEqual([1500, -600]);
    }
    const anns = slices[1].annotations;
    expect(anns.map((a) => a.lesionClass).sort()).toEqual(['C', 'GGO']);
    for (const a of anns) {
      expect(a).toMatchObject({ source: 'IMPORTED', status: 'ACCEPTED', version: 1 });
      expect(a.revisions).toHaveLength(1);
      expect(a.revisions[0]).toMatchObject({ version: 1, action: 'CREATE', snapshot: { lesionClass: a.lesionClass, points: a.points, holes: a.holes, status: 'ACCEPTED' } });
    }
    // The polygons rasterise back to the label slice exactly (no simplification here).
    const back = polygonsToLabelMap(anns.map((a) => ({ lesionClass: a.lesionClass, points: a.points as [number, number][], holes: a.holes as [number, number][][] })), nx, ny);
    expect(Array.from(back)).toEqual(labels().slice(nx * ny, 2 * nx * ny));
    expect((await run(path.join(work, 'in'), { masksDir: path.join(work, 'masks') })).slicesAdded).toBe(0);
    expect(await t.db.annotation.count()).toBe(2);
  });

  it('rolls back a whole volume whose slice conflicts with an earlier import, leaving no orphan pixel files', async () => {
    await put('in/vol.nii', niftiBytes({ dims: [nx, ny, nz], datatype: 'int16', data: volume() }));
    await run(path.join(work, 'in'));
    const before = await storedFiles();
    // Same file name, slice 0 identical, slices 1–2 changed: slice 0 would be skipped, slice 1 conflicts.
    const changed = volume().map((v, p) => (p >= nx * ny ? v + 1 : v));
    await put('in/vol.nii', niftiBytes({ dims: [nx, ny, nz], datatype: 'int16', data: changed }));
    const summary = await run(path.join(work, 'in'));
    expect(summary.slicesAdded).toBe(0);
    expect(summary.errors).toEqual([{ file: path.join(work, 'in', 'vol.nii'), message: expect.stringMatching(/^slice 1 of study .* already holds different pixels/) }]);
    expect(await storedFiles()).toEqual(before);
    await expectStoreMatchesDb(t.db);
  });

  it('reports corrupt and truncated volumes by name and imports the others', async () => {
    const good = niftiBytes({ dims: [nx, ny, nz], datatype: 'int16', data: volume() });
    await put('in/a-good.nii', good);
    await put('in/b-cut.nii', good.subarray(0, good.length - 10));
    await put('in/c-bad.nii.gz', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    const summary = await run(path.join(work, 'in'));
    expect(summary.slicesAdded).toBe(3);
    expect(summary.errors.map((e) => [path.basename(e.file), e.message.split(':')[0]])).toEqual([
      ['b-cut.nii', 'truncated NIfTI'],
      ['c-bad.nii.gz', 'corrupt or truncated gzip data'],
    ]);
    await expectStoreMatchesDb(t.db);
  });
});

describe('importPath: 2-D images', () => {
  const img = (seed: number, w = 8, h = 6) => greyPng(w, h, Uint8Array.from({ length: w * h }, (_, i) => (i * 7 + seed * 31) % 256));
  const block = (w = 8, h = 6) => {
    const l = new Uint8Array(w * h);
    for (let y = 1; y < 5; y++) for (let x = 2; x < 6; x++) l[y * w + x] = 1;
    l[3 * w + 3] = 2;
    return l;
  };

  it('takes classes from class-named folders, one study per folder, masks by base name', async () => {
    await put('ds/COVID/2.png', img(1));
    await put('ds/COVID/10.png', img(2));
    await put('ds/non-COVID/1.png', img(3));
    await put('ds/README.md', '# not an image');
    await put('ds/masks/2.png', palettePng(8, 6, block()));
    await put('ds/masks/1.png', greyPng(8, 6, Uint8Array.from(block(), (v) => (v ? 255 : 0))));
    const summary = await run(path.join(work, 'ds'), { masksDir: path.join(work, 'ds', 'masks'), mergedLesionClass: 'C', contour: exact });
    expect(summary).toMatchObject({ files: 3, studies: 2, slicesAdded: 3, labelsAdded: 3, errors: [] });
    expect(summary.skipped).toEqual([{ file: path.join(work, 'ds', 'README.md'), reason: 'not a CT input file type' }]);
    const slices = await t.db.slice.findMany({ include: { labels: true, annotations: true, study: true } });
    const by = (name: string) => slices.find((s) => s.sourceFile.endsWith(name))!;
    // Natural order inside the folder study: 2.png before 10.png.
    expect([by('COVID/2.png').index, by('COVID/10.png').index]).toEqual([0, 1]);
    expect(by('COVID/2.png').study.scanKey).toBe(path.join(work, 'ds', 'COVID'));
    expect(by('COVID/2.png')).toMatchObject({ pixelKind: 'WINDOWED', windowWidth: 256, windowLevel: 128, status: 'ACCEPTED' });
    expect(by('COVID/2.png').labels.map((l) => [l.className, l.source])).toEqual([['COVID', 'IMPORTED']]);
    expect(by('COVID/2.png').annotations.map((a) => a.lesionClass).sort()).toEqual(['C', 'GGO']);
    expect(by('COVID/10.png')).toMatchObject({ status: 'UNLABELLED', annotations: [] });
    // Binary mask: one merged lesion, given the requested class.
    expect(by('non-COVID/1.png').annotations.map((a) => a.lesionClass)).toEqual(['C']);
    expect(by('non-COVID/1.png').labels[0].className).toBe('non-COVID');
    const pixels = await readPixels(by('COVID/10.png').pixelPath, storage);
    expect(Array.from(pixels.pixels)).toEqual(Array.from({ length: 48 }, (_, i) => (i * 7 + 2 * 31) % 256));
    await expectStoreMatchesDb(t.db);
  });

  it('stores the canonical class of an aliased folder name, under the default aliases and an admin\'s', async () => {
    await put('ds/COVID-19/1.png', img(1));
    await put('ds/covid/2.png', img(2));
    await put('ds/Normal/3.png', img(3));
    await put('ds/CP/4.png', img(4));
    await put('ds/Viral/5.png', img(5));
    await setClassAliases(t.db, { ...DEFAULT_CLASS_ALIASES, Viral: 'CP' });
    const summary = await run(path.join(work, 'ds'), {});
    expect(summary).toMatchObject({ slicesAdded: 5, labelsAdded: 5, errors: [] });
    const labels = await t.db.sliceLabel.findMany({ include: { slice: true } });
    expect(Object.fromEntries(labels.map((l) => [path.basename(l.slice.sourceFile), l.className]))).toEqual({ '1.png': 'COVID', '2.png': 'COVID', '3.png': 'non-COVID', '4.png': 'CP', '5.png': 'CP' });
  });

  it('uses one study per file with --study-from file, and classes from a CSV', async () => {
    await put('flat/a.png', img(1));
    await put('flat/b.jpg', await import('sharp').then((m) => m.default(Buffer.from(new Uint8Array(48).fill(90)), { raw: { width: 8, height: 6, channels: 1 } }).jpeg().toBuffer()));
    await put('labels.csv', 'class,file\r\nCOVID,a.png\n"Normal",flat/b.jpg\n');
    const summary = await run(path.join(work, 'flat'), { studyFrom: 'file', labelsCsv: path.join(work, 'labels.csv') });
    expect(summary).toMatchObject({ studies: 2, slicesAdded: 2, labelsAdded: 2, errors: [] });
    const labels = await t.db.sliceLabel.findMany({ include: { slice: { include: { study: true } } } });
    expect(Object.fromEntries(labels.map((l) => [path.basename(l.slice.sourceFile), l.className]))).toEqual({ 'a.png': 'COVID', 'b.jpg': 'non-COVID' }); // Normal: an alias of non-COVID by default
    expect(labels.every((l) => l.slice.index === 0 && l.slice.study.scanKey === l.slice.sourceFile)).toBe(true);
  });

  it('refuses an invalid labels CSV before importing anything', async () => {
    await put('flat/a.png', img(1));
    await put('bad.csv', 'file,class\na.png,\n');
    await expect(run(path.join(work, 'flat'), { labelsCsv: path.join(work, 'bad.csv') })).rejects.toThrow(ImportError);
    await expect(run(path.join(work, 'flat'), { labelsCsv: path.join(work, 'bad.csv') })).rejects.toThrow(/^bad\.csv: line 2: class is empty/);
    await put('bad2.csv', 'name,label\na.png,COVID\n');
    await expect(run(path.join(work, 'flat'), { labelsCsv: path.join(work, 'bad2.csv') })).rejects.toThrow(/header must name the columns "file" and "class"/);
    expect(await t.db.slice.count()).toBe(0);
    expect(await storedFiles()).toEqual([]);
  });

  it('reports non-images, corrupt images and mismatched masks by name; nothing of them is written', async () => {
    await put('mix/1.png', img(1));
    await put('mix/2.png', 'this is text, not a PNG');
    await put('mix/3.png', img(3));
    await put('mix/4.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]));
    await put('masks/3.png', palettePng(7, 6, new Uint8Array(42)));
    const summary = await run(path.join(work, 'mix'), { masksDir: path.join(work, 'masks') });
    expect(summary.slicesAdded).toBe(1);
    expect(summary.errors.map((e) => [path.basename(e.file), e.message])).toEqual([
      ['2.png', expect.stringMatching(/^not a readable image/)],
      ['3.png', 'mask 3.png is 7×6 but the image is 8×6'],
      ['4.jpg', expect.stringMatching(/^(not a readable image|corrupt or truncated image)/)],
    ]);
    expect((await t.db.slice.findMany()).map((s) => path.basename(s.sourceFile))).toEqual(['1.png']);
    await expectStoreMatchesDb(t.db);
  });

  it('refuses a changed image at an index already imported, keeping the first and no orphan file', async () => {
    await put('d/1.png', img(1));
    await run(path.join(work, 'd'));
    await put('d/1.png', img(9));
    const summary: ImportSummary = await run(path.join(work, 'd'));
    expect(summary.errors).toEqual([{ file: path.join(work, 'd', '1.png'), message: expect.stringMatching(/^slice 0 of study .* already holds different pixels/) }]);
    expect(await t.db.slice.count()).toBe(1);
    await expectStoreMatchesDb(t.db);
  });

  it('keeps a pixel file shared by a failed unit and the next one (read ahead) that succeeds', async () => {
    await put('d/1.png', img(1));
    await run(path.join(work, 'd'));
    // 1.png changes (conflict at index 0) and 2.png is the same new image: its unit finds the file already
    // written by the failing unit, so cleaning up after 1.png must leave it.
    await put('d/1.png', img(5));
    await put('d/2.png', img(5));
    // Slow transactions make sure 2.png is read and stored before 1.png's failure is cleaned up.
    const slowDb = new Proxy(t.db, {
      get(target, prop) {
        if (prop === '$transaction') {
          return async (...args: Parameters<Db['$transaction']>) => {
            await new Promise((r) => setTimeout(r, 300));
            return (target.$transaction as (...a: unknown[]) => unknown)(...args);
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const summary = await importPath(slowDb, path.join(work, 'd'), { dataDir: storage });
    expect(summary.errors.map((e) => path.basename(e.file))).toEqual(['1.png']);
    expect(summary.slicesAdded).toBe(1);
    await expectStoreMatchesDb(t.db);
    const second = await t.db.slice.findFirstOrThrow({ where: { index: 1 } });
    expect((await readPixels(second.pixelPath, storage, { verifyHash: true })).width).toBe(8);
  });

  it('names a missing input path', async () => {
    await expect(run(path.join(work, 'nope'))).rejects.toThrow(/^nope: no such file or folder/);
  });
});

const pg = await testPostgres();
describe.skipIf(!pg.available)('importPath on PostgreSQL', () => {
  it('imports a DICOM series and an image folder, idempotently', async () => {
    const p = await createTestDb('postgresql');
    try {
      await writeSeries('series');
      await put('imgs/a.png', greyPng(2, 2, Uint8Array.from([1, 2, 3, 4])));
      await put('imgs/m/a.png', palettePng(2, 2, Uint8Array.from([0, 1, 2, 1])));
      const opts = { dataDir: storage, masksDir: path.join(work, 'imgs', 'm'), contour: exact };
      const a = await importPath(p.db, path.join(work, 'series'), opts);
      const b = await importPath(p.db, path.join(work, 'imgs'), opts);
      expect([a.slicesAdded, b.slicesAdded, b.annotationsAdded, a.errors.length + b.errors.length]).toEqual([5, 1, 2, 0]);
      const again = await importPath(p.db, path.join(work, 'imgs'), opts);
      expect([again.slicesAdded, again.slicesSkipped, again.annotationsAdded]).toEqual([0, 1, 0]);
      const ann = await p.db.annotation.findFirstOrThrow({ where: { lesionClass: 'GGO' }, include: { revisions: true } });
      expect(ann.revisions[0].action).toBe('CREATE');
      expect(labelIoU(Uint8Array.from([0, 1, 2, 1]), polygonsToLabelMap([{ lesionClass: 'GGO', points: ann.points as [number, number][], holes: [] }], 2, 2), 1)).toBe(1);
    } finally {
      await p.cleanup();
    }
  });
});
