/**
 * Backups of the embedded default: one zip holding a consistent copy of the SQLite database, taken online with
 * `VACUUM INTO` (the app and worker keep running and writing meanwhile), and the data folder's slice pixels and
 * model folders. Pixel files are already gzip-compressed, so they are stored, not deflated again; everything is
 * streamed, so memory stays small whatever the data's size. Scratch (uploads, job folders) and the session secret
 * are not part of a backup.
 *
 * PostgreSQL deployments back up the database with `pg_dump` and the data folder with their file backups
 * (README, "Backups"); this module refuses a PostgreSQL URL with that advice.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Zip, ZipPassThrough } from 'fflate';
import { extractZip, DEFAULT_UNZIP_LIMITS } from '@/lib/uploads/unzip';
import { providerOf, sqliteFilePath } from './client';
import { migrateDatabase } from './migrate';

/** Name of the database inside a backup. */
const DB_ENTRY = 'ctms.db';
/** Top-level folders of the data folder that are scratch or secret, not data. */
const SKIPPED = new Set(['uploads', 'jobs', '.nextauth-secret', 'e2e-artifacts']);

function requireSqlite(url: string): string {
  if (providerOf(url) !== 'sqlite') throw new Error('DATABASE_URL is PostgreSQL: back it up with pg_dump (see the README, "Backups"), and the data folder with your file backups');
  return sqliteFilePath(url);
}

async function filesUnder(root: string, dir = root): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(root, full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

export interface BackupSummary {
  file: string;
  databaseBytes: number;
  files: number;
  bytes: number;
}

/** Writes a backup of the SQLite database at `url` and the data folder `dataDir` to `outFile` (a zip). */
export async function backupSqlite(url: string, dataDir: string, outFile: string): Promise<BackupSummary> {
  const dbFile = requireSqlite(url);
  if (!existsSync(dbFile)) throw new Error(`no database at ${dbFile}`);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-backup-'));
  const partial = `${outFile}.partial`;
  try {
    const snapshot = path.join(scratch, DB_ENTRY);
    // VACUUM INTO copies the database as one read transaction: a consistent snapshot while the app keeps writing
    // (WAL). SQLite's page-by-page backup API starts over whenever another connection writes, so under steady
    // saves it may never finish.
    const source = new Database(dbFile, { readonly: true, fileMustExist: true, timeout: 30_000 });
    try {
      source.prepare('VACUUM INTO ?').run(snapshot);
    } finally {
      source.close();
    }
    const dbAbs = path.resolve(dbFile);
    const entries: [string, string][] = [[DB_ENTRY, snapshot]];
    for (const file of await filesUnder(dataDir)) {
      const rel = path.relative(dataDir, file).split(path.sep).join('/');
      if (SKIPPED.has(rel.split('/')[0]) || path.resolve(file).startsWith(dbAbs)) continue; // the live db, -wal, -shm
      entries.push([`data/${rel}`, file]);
    }
    await fs.mkdir(path.dirname(path.resolve(outFile)), { recursive: true });
    const out = createWriteStream(partial);
    let bytes = 0;
    // The reader waits for the file to drain: memory stays at a few chunks.
    let drained: Promise<unknown> = Promise.resolve();
    const done = new Promise<void>((resolve, reject) => {
      const zip = new Zip((err, chunk, final) => {
        if (err) return reject(err);
        if (!out.write(chunk)) drained = once(out, 'drain');
        if (final) out.end(resolve);
      });
      (async () => {
        for (const [name, file] of entries) {
          const entry = new ZipPassThrough(name);
          zip.add(entry);
          for await (const chunk of createReadStream(file)) {
            bytes += (chunk as Buffer).length;
            entry.push(chunk as Buffer);
            await drained;
          }
          entry.push(new Uint8Array(0), true);
        }
        zip.end();
      })().catch(reject);
    });
    await done;
    await fs.rename(partial, outFile);
    return { file: outFile, databaseBytes: (await fs.stat(snapshot)).size, files: entries.length - 1, bytes };
  } finally {
    await fs.rm(partial, { force: true });
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Restores a backup into the database file of `url` and the data folder `dataDir`, then applies any migration the
 * backup predates. Refuses to overwrite an existing database unless `force`.
 */
export async function restoreSqlite(fromFile: string, url: string, dataDir: string, { force = false } = {}): Promise<{ files: number }> {
  const dbFile = requireSqlite(url);
  if (existsSync(dbFile) && !force) throw new Error(`${dbFile} exists: restore into a fresh DATA_DIR, or pass --force to replace it (stop the app first)`);
  const scratch = await fs.mkdtemp(path.join(path.dirname(path.resolve(dataDir)), '.ctms-restore-'));
  try {
    // The same safe extraction as uploads (no paths out of the folder), without the size limits of an upload.
    await extractZip(fromFile, scratch, { ...DEFAULT_UNZIP_LIMITS, maxEntries: 10_000_000, maxEntryBytes: Number.MAX_SAFE_INTEGER, maxTotalBytes: Number.MAX_SAFE_INTEGER, maxRatio: Number.MAX_SAFE_INTEGER });
    if (!existsSync(path.join(scratch, DB_ENTRY))) throw new Error(`${fromFile} is not a CT-Mask Studio backup (no ${DB_ENTRY} in it)`);
    const files = await filesUnder(path.join(scratch, 'data'));
    for (const file of files) {
      const target = path.join(dataDir, path.relative(path.join(scratch, 'data'), file));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.copyFile(file, target);
    }
    await fs.mkdir(path.dirname(dbFile), { recursive: true });
    for (const suffix of ['-wal', '-shm']) await fs.rm(dbFile + suffix, { force: true });
    await fs.copyFile(path.join(scratch, DB_ENTRY), dbFile);
    await migrateDatabase(url);
    return { files: files.length };
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
