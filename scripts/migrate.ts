/**
 * Database migrations, offline (the Prisma CLI's migrate commands need a native engine it cannot download).
 *
 *   tsx scripts/migrate.ts deploy          apply the committed migrations to DATABASE_URL (npm run db:migrate)
 *   tsx scripts/migrate.ts create <name>   after editing prisma/schema.prisma: write the next migration for
 *                                          SQLite and PostgreSQL (npm run db:migration:create -- <name>)
 *   tsx scripts/migrate.ts check           exit 1 when prisma/schema.prisma has changes no migration holds
 *   tsx scripts/migrate.ts status          Prisma's own verdict on DATABASE_URL's recorded history
 *
 * `create` and `check` replay the PostgreSQL history in a throwaway shadow database on the server of
 * SHADOW_DATABASE_URL, else of DATABASE_URL when it is postgresql://, else of TEST_POSTGRES_URL, else
 * postgresql://postgres@127.0.0.1:5432/postgres. That database itself is never changed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { databaseUrl, providerOf, repoRoot, sqliteFilePath } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { LOCK_FILE, MIGRATION_FILE, lockFileContent, migrationFolderName, migrationsDir, readMigrations } from '../lib/db/migrationFiles';
import { describePostgresUrl } from '../lib/db/postgresAdmin';
import { diffMigrationsToSchema, migrationHistoryStatus } from '../lib/db/schemaEngine';
import { derivePostgresSchema, type DatabaseProvider } from '../lib/db/schemaVariants';

const PROVIDERS: DatabaseProvider[] = ['sqlite', 'postgresql'];

function shadowServerUrl(env: Record<string, string | undefined> = process.env): string {
  if (env.SHADOW_DATABASE_URL) return env.SHADOW_DATABASE_URL;
  if (env.DATABASE_URL && providerOf(env.DATABASE_URL) === 'postgresql') return env.DATABASE_URL;
  return env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

function schemaFor(root: string, provider: DatabaseProvider) {
  const sqlite = readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8');
  return provider === 'sqlite'
    ? { path: path.join(root, 'prisma/schema.prisma'), content: sqlite }
    : { path: path.join(root, 'lib/generated/postgresql.prisma'), content: derivePostgresSchema(sqlite) };
}

/** Pending schema changes per provider ('' = none). */
async function pendingSql(root: string): Promise<Record<DatabaseProvider, string>> {
  const out = {} as Record<DatabaseProvider, string>;
  for (const provider of PROVIDERS) {
    const dir = migrationsDir(root, provider);
    out[provider] = await diffMigrationsToSchema({
      provider,
      migrations: readMigrations(dir),
      migrationsDir: dir,
      schema: schemaFor(root, provider),
      postgresServerUrl: provider === 'postgresql' ? shadowServerUrl() : undefined,
    }).catch((e: Error) => {
      const hint = provider === 'postgresql' ? ` (shadow server: ${describePostgresUrl(shadowServerUrl())}; set SHADOW_DATABASE_URL to use another)` : '';
      throw new Error(`${provider}: ${e.message}${hint}`);
    });
  }
  return out;
}

async function create(name: string | undefined): Promise<void> {
  if (!name) throw new Error('Usage: npm run db:migration:create -- <name>   (e.g. add_review_notes)');
  const root = repoRoot();
  const folder = migrationFolderName(name);
  const pending = await pendingSql(root);
  if (PROVIDERS.every((p) => !pending[p])) {
    console.log('prisma/schema.prisma matches the migrations: nothing to create.');
    return;
  }
  for (const provider of PROVIDERS) {
    if (!pending[provider]) {
      console.log(`${provider}: no changes.`);
      continue;
    }
    const dir = migrationsDir(root, provider);
    mkdirSync(path.join(dir, folder), { recursive: true });
    writeFileSync(path.join(dir, LOCK_FILE), lockFileContent(provider));
    writeFileSync(path.join(dir, folder, MIGRATION_FILE), pending[provider]);
    console.log(`${provider}: wrote ${path.relative(root, path.join(dir, folder, MIGRATION_FILE))}`);
  }
  console.log('Review the SQL, then apply it with: npm run db:migrate');
}

async function check(): Promise<void> {
  const pending = await pendingSql(repoRoot());
  const behind = PROVIDERS.filter((p) => pending[p]);
  if (behind.length === 0) {
    console.log('Migrations match prisma/schema.prisma for SQLite and PostgreSQL.');
    return;
  }
  for (const p of behind) console.log(`-- ${p}: changes not in any migration:\n${pending[p]}`);
  console.error('Create a migration: npm run db:migration:create -- <name>');
  process.exitCode = 1;
}

async function deploy(): Promise<void> {
  const result = await migrateDatabase(databaseUrl());
  for (const name of result.applied) console.log(`applied ${name}`);
  console.log(
    `${result.provider}: ${result.applied.length} migration(s) applied, ${result.alreadyApplied.length} already in place.`,
  );
}

async function status(): Promise<void> {
  const url = databaseUrl();
  const dir = migrationsDir(repoRoot(), providerOf(url));
  if (providerOf(url) === 'sqlite' && !existsSync(sqliteFilePath(url))) {
    console.log(`No database at ${sqliteFilePath(url)} yet: npm run db:migrate`);
    return;
  }
  const s = await migrationHistoryStatus(url, readMigrations(dir), dir).catch((e: Error) => {
    // The SQLite connector reports a missing history table as an error rather than hasMigrationsTable=false.
    if (/_prisma_migrations.*does not exist/.test(e.message)) return null;
    throw e;
  });
  if (!s || !s.hasMigrationsTable) console.log('No migrations applied yet: npm run db:migrate');
  else if (!s.history && s.failedMigrationNames.length === 0 && s.editedMigrationNames.length === 0) console.log('Database is up to date.');
  else console.log(JSON.stringify(s, null, 2));
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'deploy') return deploy();
  if (command === 'create') return create(args[0]);
  if (command === 'check') return check();
  if (command === 'status') return status();
  throw new Error('Usage: tsx scripts/migrate.ts deploy | create <name> | check | status');
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
