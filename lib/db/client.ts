/**
 * The database client. One schema (prisma/schema.prisma) serves SQLite (default, a file under data/)
 * and PostgreSQL; DATABASE_URL picks the provider and the matching generated client + driver adapter.
 *
 * Raw queries ($queryRaw): SQLite INTEGER values arrive as BigInt (the better-sqlite3 adapter turns safe
 * integers on); on PostgreSQL INTEGER arrives as number, BIGINT and COUNT(*) as BigInt. BigInt breaks
 * JSON.stringify and `===` with numbers: wrap raw integers in Number(...). Model queries (findMany,
 * count, …) always give numbers.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient as PostgresPrismaClient } from '@/lib/generated/postgresql/client';
import { PrismaClient as SqlitePrismaClient } from '@/lib/generated/sqlite/client';
import { dataDir, repoRoot } from '@/lib/paths';
import type { DatabaseProvider } from './schemaVariants';

export { repoRoot } from '@/lib/paths';

export type { DatabaseProvider } from './schemaVariants';

/** The one client type the app codes against (the SQLite client's; the PostgreSQL one has the same model API). */
export type Db = SqlitePrismaClient;

/** DATABASE_URL, or the default SQLite file ctms.db in the data folder (DATA_DIR, default data/); relative `file:` paths are made absolute against the repo root. */
export function databaseUrl(env: Record<string, string | undefined> = process.env): string {
  const url = env.DATABASE_URL?.trim() || `file:${path.join(dataDir(), 'ctms.db')}`;
  if (providerOf(url) !== 'sqlite') return url;
  return `file:${sqliteFilePath(url)}`;
}

export function providerOf(url: string): DatabaseProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  const scheme = url.includes(':') ? url.slice(0, url.indexOf(':') + 1) : url;
  throw new Error(
    `Unsupported DATABASE_URL "${scheme}…": use file:<path> for SQLite (e.g. file:./data/ctms.db) or postgresql://user:password@host:5432/db for PostgreSQL.`,
  );
}

/** Absolute path of a `file:` URL (query string such as ?connection_limit=1 dropped). */
export function sqliteFilePath(url: string): string {
  if (providerOf(url) !== 'sqlite') throw new Error(`Not a SQLite URL: ${url}`);
  let p = url.slice('file:'.length).split('?')[0];
  if (p.startsWith('//')) p = p.slice(2); // file:///abs/path
  if (!p) throw new Error('DATABASE_URL "file:" names no file: use e.g. file:./data/ctms.db');
  return path.resolve(repoRoot(), p);
}

/**
 * Pragmas every app connection needs: WAL lets the web server read while the worker writes, busy_timeout
 * waits for the other writer instead of failing with SQLITE_BUSY, foreign_keys makes onDelete Cascade /
 * SetNull work (Prisma relies on the database for them).
 */
const SQLITE_PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;';

function sqliteAdapter(url: string): SqlDriverAdapterFactory {
  const file = sqliteFilePath(url);
  mkdirSync(path.dirname(file), { recursive: true });
  const inner = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const adapter = await inner.connect();
      await adapter.executeScript(SQLITE_PRAGMAS);
      return adapter;
    },
  };
}

/** A new client for `url` (default: databaseUrl()). The caller owns it: `await db.$disconnect()` when done. */
export function createDb(url: string = databaseUrl()): Db {
  if (providerOf(url) === 'sqlite') return new SqlitePrismaClient({ adapter: sqliteAdapter(url) });
  // Both clients are generated from the same models (lib/db/schemaVariants.ts) and differ only in the
  // provider-specific internals, so the PostgreSQL client answers the SQLite client's API; TypeScript
  // cannot see that the two generated type trees are structurally the same.
  return new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db;
}

// Kept on globalThis so Next.js dev hot reloads (which re-evaluate modules) reuse one client and pool.
const globalForDb = globalThis as typeof globalThis & { __ctmsDb?: { url: string; db: Db } };

/** The process-wide client for databaseUrl(). */
export function getDb(): Db {
  const url = databaseUrl();
  let current = globalForDb.__ctmsDb;
  if (!current || current.url !== url) {
    if (current) void current.db.$disconnect(); // DATABASE_URL changed (tests): let the old pool go
    current = globalForDb.__ctmsDb = { url, db: createDb(url) };
  }
  return current.db;
}
