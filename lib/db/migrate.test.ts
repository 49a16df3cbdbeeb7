import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestPostgresDatabase, testPostgres } from '@/lib/testing/postgres';
import { repoRoot } from './client';
import { migrateDatabase, pendingMigrations, type AppliedMigration } from './migrate';
import { migrationChecksum, migrationsDir, readMigrations, type MigrationFile } from './migrationFiles';
import { migrationHistoryStatus } from './schemaEngine';
import type { DatabaseProvider } from './schemaVariants';

const file = (name: string, sql: string): MigrationFile => ({ name, sql, checksum: migrationChecksum(sql) });
const row = (m: MigrationFile, over: Partial<AppliedMigration> = {}): AppliedMigration => ({
  migration_name: m.name,
  checksum: m.checksum,
  finished_at: '2025-01-01T00:00:00.000+00:00',
  rolled_back_at: null,
  logs: null,
  ...over,
});

describe('pendingMigrations', () => {
  const a = file('20250101000000_a', 'CREATE TABLE a (x INT);');
  const b = file('20250102000000_b', 'CREATE TABLE b (x INT);');

  it('returns the unapplied files in order, ignoring rolled-back records', () => {
    expect(pendingMigrations([a, b], []).map((m) => m.name)).toEqual([a.name, b.name]);
    expect(pendingMigrations([a, b], [row(a)]).map((m) => m.name)).toEqual([b.name]);
    expect(pendingMigrations([a, b], [row(a), row(b, { rolled_back_at: '2025-01-03', finished_at: null })]).map((m) => m.name)).toEqual([b.name]);
  });

  it('refuses a migration edited after it was applied', () => {
    expect(() => pendingMigrations([a, b], [row(a, { checksum: migrationChecksum('CREATE TABLE a (y INT);') })])).toThrow(
      /20250101000000_a was edited after it was applied/,
    );
  });

  it('refuses a half-applied migration and a history this checkout does not know', () => {
    expect(() => pendingMigrations([a, b], [row(a, { finished_at: null, logs: 'syntax error\nmore' })])).toThrow(/a failed earlier.*\(syntax error\)/);
    expect(() => pendingMigrations([a], [row(a), row(b)])).toThrow(/has migration 20250102000000_b, which is not in prisma\/migrations/);
  });
});

/** A copy of the repo's prisma/migrations, to edit without touching the real ones. */
function copyOfMigrations(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ctms-migrations-'));
  cpSync(path.join(repoRoot(), 'prisma/migrations'), path.join(root, 'prisma/migrations'), { recursive: true });
  return root;
}

const committed = (provider: DatabaseProvider) => readMigrations(migrationsDir(repoRoot(), provider));

/** The same checks for both providers; `fresh` gives an empty database URL and its row reader. */
function deploySuite(
  provider: DatabaseProvider,
  fresh: () => Promise<{ url: string; rows(): Promise<Record<string, unknown>[]>; tables(): Promise<string[]>; drop(): Promise<void> }>,
) {
  const dropped: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of dropped) await drop();
  });
  const open = async () => {
    const d = await fresh();
    dropped.push(d.drop);
    return d;
  };

  it('applies every migration to a fresh database once, recording it like Prisma does', async () => {
    const d = await open();
    const names = committed(provider).map((m) => m.name);
    const first = await migrateDatabase(d.url);
    expect(first).toEqual({ provider, applied: names, alreadyApplied: [] });
    const second = await migrateDatabase(d.url);
    expect(second).toEqual({ provider, applied: [], alreadyApplied: names });

    const rows = await d.rows();
    expect(rows.map((r) => [r.migration_name, r.checksum, Number(r.applied_steps_count)])).toEqual(
      committed(provider).map((m) => [m.name, m.checksum, 1]),
    );
    expect(rows.every((r) => r.finished_at != null && r.rolled_back_at == null)).toBe(true);
    expect(await d.tables()).toEqual(expect.arrayContaining(['User', 'Study', 'Slice', 'SliceLabel', 'Annotation', 'AnnotationRevision']));

    // Prisma's own engine (what `prisma migrate status` runs) agrees the history is complete and intact.
    const dir = migrationsDir(repoRoot(), provider);
    const status = await migrationHistoryStatus(d.url, committed(provider), dir);
    expect(status).toMatchObject({ hasMigrationsTable: true, history: null, editedMigrationNames: [], failedMigrationNames: [] });
  });

  it('refuses to run when an applied migration was edited', async () => {
    const d = await open();
    await migrateDatabase(d.url);
    const root = copyOfMigrations();
    try {
      const [first] = committed(provider);
      const sqlPath = path.join(migrationsDir(root, provider), first.name, 'migration.sql');
      writeFileSync(sqlPath, readFileSync(sqlPath, 'utf8') + '\n-- edited\n');
      await expect(migrateDatabase(d.url, { root })).rejects.toThrow(new RegExp(`${first.name} was edited after it was applied`));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration completely and records nothing', async () => {
    const d = await open();
    await migrateDatabase(d.url);
    const root = copyOfMigrations();
    try {
      const name = '29991231000000_broken';
      const dir = path.join(migrationsDir(root, provider), name);
      cpSync(path.join(migrationsDir(root, provider), committed(provider)[0].name), dir, { recursive: true });
      writeFileSync(path.join(dir, 'migration.sql'), 'CREATE TABLE "Extra" ("id" TEXT NOT NULL PRIMARY KEY);\nINSERT INTO "NoSuchTable" VALUES (1);\n');
      await expect(migrateDatabase(d.url, { root })).rejects.toThrow(/Migration 29991231000000_broken failed and was rolled back: .*NoSuchTable/);
      expect(await d.tables()).not.toContain('Extra');
      expect((await d.rows()).map((r) => r.migration_name)).not.toContain(name);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

describe('migrateDatabase on SQLite', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctms-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  deploySuite('sqlite', async () => {
    // A folder that does not exist yet: migrateDatabase must create it.
    const file = path.join(dir, `run${n++}`, 'nested', 'ctms.db');
    const read = <T>(sql: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    };
    return {
      url: `file:${file}`,
      rows: async () => read('SELECT * FROM _prisma_migrations ORDER BY started_at'),
      tables: async () => read<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map((t) => t.name),
      drop: async () => {},
    };
  });

  it('created the database folder', () => {
    expect(existsSync(path.join(dir, 'run0', 'nested', 'ctms.db'))).toBe(true);
  });
});

const postgres = await testPostgres();

describe.skipIf(!postgres.available)('migrateDatabase on PostgreSQL', () => {
  deploySuite('postgresql', async () => {
    const scratch = await createTestPostgresDatabase();
    const read = async <T>(sql: string) => {
      const c = new pg.Client({ connectionString: scratch.url });
      await c.connect();
      try {
        return (await c.query(sql)).rows as T[];
      } finally {
        await c.end();
      }
    };
    return {
      url: scratch.url,
      rows: () => read('SELECT * FROM _prisma_migrations ORDER BY started_at'),
      tables: async () => (await read<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((t) => t.tablename),
      drop: () => scratch.drop(),
    };
  });
});
