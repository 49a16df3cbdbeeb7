/**
 * Deploys the committed migrations (prisma/migrations/<provider>/) to a database, without the Prisma
 * schema engine: each migration.sql runs in its own transaction and is recorded in the standard
 * `_prisma_migrations` table, in the same shape and checksum the Prisma CLI writes, so `prisma migrate`
 * tooling recognises the history.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { databaseUrl, providerOf, repoRoot, sqliteFilePath } from './client';
import { migrationsDir, readMigrations, type MigrationFile } from './migrationFiles';
import { describePostgresUrl } from './postgresAdmin';
import type { DatabaseProvider } from './schemaVariants';

/** A row of _prisma_migrations, as far as deploying cares. */
export interface AppliedMigration {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: string | null;
}

export interface MigrateResult {
  provider: DatabaseProvider;
  /** Migrations this run applied, in order. */
  applied: string[];
  /** Migrations that were already in the database. */
  alreadyApplied: string[];
}

export interface MigrateOptions {
  /** Folder holding prisma/migrations (default: the repo root). */
  root?: string;
}

/**
 * Which files still need applying, given what the database recorded. Refuses (throws) when the recorded
 * history cannot be trusted: a migration edited after it was applied, one that failed half-way, or one
 * the database has but this checkout does not.
 */
export function pendingMigrations(files: MigrationFile[], recorded: AppliedMigration[]): MigrationFile[] {
  const live = recorded.filter((r) => r.rolled_back_at == null);
  const failed = live.find((r) => r.finished_at == null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier and was left half-applied${failed.logs ? ` (${failed.logs.split('\n')[0]})` : ''}. ` +
        `Repair the database by hand, then mark it rolled back (set rolled_back_at in _prisma_migrations) and migrate again.`,
    );
  }
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const r of live) {
    const file = byName.get(r.migration_name);
    if (!file) {
      throw new Error(
        `The database has migration ${r.migration_name}, which is not in prisma/migrations: it was migrated by a newer version of CT-Mask Studio. Update the code before migrating.`,
      );
    }
    if (file.checksum !== r.checksum) {
      throw new Error(
        `Migration ${r.migration_name} was edited after it was applied (checksum ${file.checksum.slice(0, 12)}… differs from the recorded ${r.checksum.slice(0, 12)}…). ` +
          `Restore its migration.sql from version control and put schema changes in a new migration (npm run db:migration:create -- <name>).`,
      );
    }
  }
  const done = new Set(live.map((r) => r.migration_name));
  return files.filter((f) => !done.has(f.name));
}

/** Applies the pending migrations of the URL's provider (default: databaseUrl()). */
export async function migrateDatabase(url: string = databaseUrl(), options: MigrateOptions = {}): Promise<MigrateResult> {
  const provider = providerOf(url);
  const files = readMigrations(migrationsDir(options.root ?? repoRoot(), provider));
  if (files.length === 0) throw new Error(`No migrations in ${migrationsDir(options.root ?? repoRoot(), provider)}: the checkout is incomplete.`);
  return provider === 'sqlite' ? migrateSqlite(url, files) : migratePostgres(url, files);
}

function finish(provider: DatabaseProvider, files: MigrationFile[], applied: string[]): MigrateResult {
  return { provider, applied, alreadyApplied: files.map((f) => f.name).filter((n) => !applied.includes(n)) };
}

// The exact DDL the Prisma schema engine uses, so its tooling reads our records.
const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

const SELECT_RECORDED = 'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at';

/** Prisma's SQLite timestamps are ISO text with an explicit +00:00 offset. */
function sqliteTimestamp(d: Date = new Date()): string {
  return d.toISOString().replace('Z', '+00:00');
}

function migrateSqlite(url: string, files: MigrationFile[]): MigrateResult {
  const file = sqliteFilePath(url);
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 });
  try {
    // better-sqlite3 turns foreign keys on by default. Prisma's SQLite migrations rebuild tables (copy,
    // DROP, rename) to change columns; with enforcement on, that DROP would cascade-delete child rows.
    // Instead the whole migration is checked with foreign_key_check before it commits.
    db.pragma('foreign_keys = OFF');
    db.pragma('journal_mode = WAL'); // persistent in the file; the app connections want it anyway (client.ts)
    db.exec(SQLITE_MIGRATIONS_TABLE);
    const pending = pendingMigrations(files, db.prepare(SELECT_RECORDED).all() as AppliedMigration[]);
    const applied: string[] = [];
    const isRecorded = db.prepare('SELECT 1 FROM _prisma_migrations WHERE migration_name = ? AND rolled_back_at IS NULL');
    const record = db.prepare(
      'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)',
    );
    for (const m of pending) {
      const apply = db.transaction(() => {
        // Another process (web server and worker starting together) may have applied it meanwhile;
        // IMMEDIATE below holds the write lock from here to commit, so this check is race-free.
        if (isRecorded.get(m.name)) return false;
        const startedAt = sqliteTimestamp();
        try {
          db.exec(m.sql);
        } catch (e) {
          throw new Error(`Migration ${m.name} failed and was rolled back: ${(e as Error).message}`);
        }
        const violations = db.pragma('foreign_key_check') as unknown[];
        if (violations.length > 0) {
          throw new Error(`Migration ${m.name} would break ${violations.length} foreign key reference(s); rolled back. First: ${JSON.stringify(violations[0])}`);
        }
        record.run(randomUUID(), m.checksum, sqliteTimestamp(), m.name, startedAt);
        return true;
      });
      if (apply.immediate()) applied.push(m.name);
    }
    return finish('sqlite', files, applied);
  } finally {
    db.close();
  }
}

/** Any fixed number: serialises concurrent deploys on one PostgreSQL database (Prisma uses the same key). */
const POSTGRES_ADVISORY_LOCK = 72707369;

async function migratePostgres(url: string, files: MigrationFile[]): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`Cannot connect to PostgreSQL at ${describePostgresUrl(url)}: ${(e as Error).message}. Is the server running, and DATABASE_URL right?`);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [POSTGRES_ADVISORY_LOCK]);
    await client.query(POSTGRES_MIGRATIONS_TABLE);
    const recorded = (await client.query(SELECT_RECORDED)).rows as AppliedMigration[];
    const pending = pendingMigrations(files, recorded);
    const applied: string[] = [];
    for (const m of pending) {
      await client.query('BEGIN');
      try {
        const startedAt = new Date();
        // No parameters: pg uses the simple query protocol, which runs a multi-statement script.
        // PostgreSQL DDL is transactional, so a failing migration leaves nothing behind.
        await client.query(m.sql);
        await client.query(
          'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)',
          [randomUUID(), m.checksum, m.name, startedAt],
        );
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`Migration ${m.name} failed and was rolled back: ${(e as Error).message}`);
      }
      applied.push(m.name);
    }
    return finish('postgresql', files, applied);
  } finally {
    await client.end().catch(() => {});
  }
}
