/**
 * Backup while the app writes, restore into a fresh data folder: the same slices (pixels included), the same
 * revisions, and every save acknowledged before the backup started is in it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEditorState, saveSliceAnnotations } from '@/lib/annotations/service';
import { importPath } from '@/lib/import/importPath';
import { readPixels } from '@/lib/imaging/pixelStore';
import { repoRoot } from '@/lib/paths';
import { createTestUser } from '@/lib/testing/fixtures';
import { backupSqlite, restoreSqlite } from './backup';
import { createDb } from './client';
import { migrateDatabase } from './migrate';

const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-backup-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const square = (x: number, y: number, s = 6): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

describe('db:backup and db:restore', () => {
  it('backs up a running database and restores it into a fresh DATA_DIR that serves the same slices and revisions', async () => {
    const [dataA, dataB] = [path.join(work, 'a'), path.join(work, 'b')];
    const [urlA, urlB] = [`file:${path.join(dataA, 'ctms.db')}`, `file:${path.join(dataB, 'ctms.db')}`];
    await migrateDatabase(urlA);
    const db = createDb(urlA);
    const images = path.join(work, 'images');
    await mkdir(images, { recursive: true });
    for (let k = 0; k < 3; k++) await writeFile(path.join(images, `${k}.png`), await sharp(Buffer.alloc(32 * 32, k * 40 + 10), { raw: { width: 32, height: 32, channels: 1 } }).png().toBuffer());
    expect((await importPath(db, images, { dataDir: dataA })).slicesAdded).toBe(3);
    const reviewer = await createTestUser(db, 'REVIEWER');
    const slices = await db.slice.findMany({ orderBy: { sourceFile: 'asc' } });

    // Saves go on while the backup runs; those acknowledged before it started must be in it.
    let version = 0;
    const acknowledged: number[] = [];
    const save = async () => {
      const r = await saveSliceAnnotations(db, slices[0].id, reviewer, { baseVersion: version, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(1 + (version % 20), 2) }], sliceClass: null });
      version = r.version;
      acknowledged.push(version);
    };
    for (let k = 0; k < 3; k++) await save();
    const before = acknowledged.length;
    let writing = true;
    const writer = (async () => {
      // Each save yields to the event loop, as requests to a server do.
      while (writing) {
        await save();
        await new Promise((r) => setImmediate(r));
      }
    })();
    const backupFile = path.join(work, 'backup.zip');
    const summary = await backupSqlite(urlA, dataA, backupFile);
    writing = false;
    await writer;
    expect(summary.files).toBeGreaterThanOrEqual(3); // the pixel files

    await restoreSqlite(backupFile, urlB, dataB);
    await expect(restoreSqlite(backupFile, urlB, dataB)).rejects.toThrow(/exists: restore into a fresh DATA_DIR/);
    const restored = createDb(urlB);
    try {
      const back = await restored.slice.findMany({ orderBy: { sourceFile: 'asc' } });
      expect(back.map((s) => [s.id, s.contentHash, s.pixelPath])).toEqual(slices.map((s) => [s.id, s.contentHash, s.pixelPath]));
      for (const s of back) expect(await readPixels(s.pixelPath, dataB)).toEqual(await readPixels(s.pixelPath, dataA));
      const state = await loadEditorState(restored, slices[0].id);
      expect(state.version).toBeGreaterThanOrEqual(acknowledged[before - 1]);
      // Consistent: the restored slice's revisions are exactly those of its versions, none half-written.
      const revisions = await restored.annotationRevision.findMany({ where: { annotation: { sliceId: slices[0].id } } });
      expect(Math.max(...revisions.map((r) => r.sliceVersion))).toBe(state.version);
      expect(state.polygons).toHaveLength(1);
    } finally {
      await restored.$disconnect();
      await db.$disconnect();
    }
  });

  it('runs as npm run db:backup, and says what to do on PostgreSQL', () => {
    const run = (args: string[], env: Record<string, string>) => spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/db-backup.ts', ...args], { cwd: repoRoot(), env: { ...process.env, ...env }, encoding: 'utf8' });
    const dir = path.join(work, 'cli');
    const ok = run(['backup', '--out', path.join(work, 'cli.zip')], { DATA_DIR: dir, DATABASE_URL: `file:${path.join(work, 'a', 'ctms.db')}` });
    expect(ok.stdout + ok.stderr).toMatch(/backup written to/);
    expect(ok.status).toBe(0);
    const pg = run(['backup', '--out', path.join(work, 'x.zip')], { DATABASE_URL: 'postgresql://u@127.0.0.1:1/x' });
    expect(pg.status).toBe(1);
    expect(pg.stderr).toMatch(/pg_dump/);
    expect(run(['backup'], {}).status).toBe(2);
  });
});
