/** Authoring migrations with the WebAssembly schema engine (what `scripts/migrate.ts create` does). */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testPostgres } from '@/lib/testing/postgres';
import { createTestDb } from '@/lib/testing/testDb';
import { createDb, repoRoot } from './client';
import { migrateDatabase } from './migrate';
import { migrationFolderName, migrationsDir, readMigrations } from './migrationFiles';
import { diffMigrationsToSchema } from './schemaEngine';
import { derivePostgresSchema, type DatabaseProvider } from './schemaVariants';

const sqliteSchema = readFileSync(path.join(repoRoot(), 'prisma/schema.prisma'), 'utf8');
const schemaFor = (provider: DatabaseProvider, text = sqliteSchema) => ({
  path: 'schema.prisma',
  content: provider === 'sqlite' ? text : derivePostgresSchema(text),
});

/**
 * A schema edit that needs a new table and, on SQLite, a table rebuild (changing a column's type copies
 * Slice into new_Slice and drops the old one, while Annotation rows point at it).
 */
const editedSchema = sqliteSchema
  .replace(/(\n\s*width\s+)Int\b/, '$1Float')
  .concat('\nmodel ReviewNote {\n  id        String   @id @default(cuid())\n  text      String\n  createdAt DateTime @default(now())\n}\n');

function authoringSuite(provider: DatabaseProvider, serverUrl?: string) {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('finds the committed migrations in step with prisma/schema.prisma', async () => {
    const dir = migrationsDir(repoRoot(), provider);
    const sql = await diffMigrationsToSchema({ provider, migrations: readMigrations(dir), migrationsDir: dir, schema: schemaFor(provider), postgresServerUrl: serverUrl });
    expect(sql, 'prisma/schema.prisma changed without a migration: npm run db:migration:create -- <name>').toBe('');
  });

  it('writes the next migration, which deploys over existing data', async () => {
    expect(editedSchema).toContain('width         Float');
    const root = mkdtempSync(path.join(tmpdir(), 'ctms-author-'));
    roots.push(root);
    cpSync(path.join(repoRoot(), 'prisma/migrations'), path.join(root, 'prisma/migrations'), { recursive: true });
    const dir = migrationsDir(root, provider);

    const sql = await diffMigrationsToSchema({ provider, migrations: readMigrations(dir), migrationsDir: dir, schema: schemaFor(provider, editedSchema), postgresServerUrl: serverUrl });
    expect(sql).toMatch(/CREATE TABLE "ReviewNote"/);
    expect(sql).toMatch(provider === 'sqlite' ? /CREATE TABLE "new_Slice"/ : /ALTER TABLE "Slice" ALTER COLUMN "width" SET DATA TYPE DOUBLE PRECISION/);

    // A database on the committed migrations, holding a slice with an annotation.
    const t = await createTestDb(provider);
    try {
      const study = await t.db.study.create({ data: { scanKey: 'k', source: 's', format: 'png' } });
      const slice = await t.db.slice.create({
        data: { studyId: study.id, index: 0, width: 512, height: 512, pixelPath: 'p', pixelKind: 'WINDOWED', windowWidth: 1, windowLevel: 0, contentHash: 'h', sourceFile: 'f' },
      });
      await t.db.annotation.create({ data: { sliceId: slice.id, lesionClass: 'C', points: [[1, 2]], holes: [], source: 'HUMAN' } });
      await t.db.$disconnect();

      const name = migrationFolderName('add review notes');
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'migration.sql'), sql);
      expect(await migrateDatabase(t.url, { root })).toMatchObject({ applied: [name] });

      // The rebuild kept the annotation (no cascade from dropping the old Slice table) and the new table works.
      const raw = await rawRows(provider, t.url, 'SELECT COUNT(*) AS n FROM "Annotation"');
      expect(Number(raw[0].n)).toBe(1);
      await rawRows(provider, t.url, `INSERT INTO "ReviewNote" ("id", "text") VALUES ('n1', 'ok')`);
      expect(await rawRows(provider, t.url, 'SELECT "text" FROM "ReviewNote"')).toEqual([{ text: 'ok' }]);
      const db = createDb(t.url); // the generated client still reads the unchanged models
      try {
        expect(await db.annotation.count()).toBe(1);
      } finally {
        await db.$disconnect();
      }

      // With that migration committed, the edited schema has nothing left to migrate.
      const again = await diffMigrationsToSchema({ provider, migrations: readMigrations(dir), migrationsDir: dir, schema: schemaFor(provider, editedSchema), postgresServerUrl: serverUrl });
      expect(again).toBe('');
    } finally {
      await t.cleanup();
    }
  });
}

async function rawRows(provider: DatabaseProvider, url: string, sql: string): Promise<Record<string, unknown>[]> {
  if (provider === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(url.slice('file:'.length));
    try {
      const stmt = db.prepare(sql);
      return stmt.reader ? (stmt.all() as Record<string, unknown>[]) : (stmt.run(), []);
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('authoring SQLite migrations', () => authoringSuite('sqlite'));

const postgres = await testPostgres();
describe.skipIf(!postgres.available)('authoring PostgreSQL migrations (shadow database on the test server)', () => {
  authoringSuite('postgresql', postgres.url);

  it('left no shadow database behind', async () => {
    const c = new pg.Client({ connectionString: postgres.url });
    await c.connect();
    try {
      const { rows } = await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'ctms_shadow_%'");
      expect(rows).toEqual([]);
    } finally {
      await c.end();
    }
  });
});
