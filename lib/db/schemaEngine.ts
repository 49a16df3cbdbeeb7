/**
 * Authoring migrations offline with Prisma's schema engine compiled to WebAssembly
 * (@prisma/schema-engine-wasm). The Prisma CLI wants a native engine it cannot download here; this one
 * ships in npm and reaches databases through driver adapters. Used by scripts/migrate.ts create only,
 * never at runtime (deploying needs no engine: lib/db/migrate.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type { DiagnoseMigrationHistoryOutput, MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { LOCK_FILE, MIGRATION_FILE, lockFileContent, type MigrationFile } from './migrationFiles';
import { createScratchDatabase } from './postgresAdmin';
import { providerOf, sqliteFilePath } from './client';
import type { DatabaseProvider } from './schemaVariants';

let wasmReady = false;

/** The package entry imports the .wasm as an ES module, which Node cannot do: instantiate it by hand. */
function initWasm(): void {
  if (wasmReady) return;
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const module = new WebAssembly.Module(readFileSync(path.join(dir, 'schema_engine_bg.wasm')));
  const imports = { './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports };
  const instance = new WebAssembly.Instance(module, imports);
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  wasmReady = true;
}

export interface SchemaFile {
  path: string;
  content: string;
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** SQL that takes a database from the state the migrations leave it in to `schema`; '' when nothing changes. */
export async function diffMigrationsToSchema(options: {
  provider: DatabaseProvider;
  migrations: MigrationFile[];
  /** Absolute folder of those migrations (the engine only uses it in messages). */
  migrationsDir: string;
  schema: SchemaFile;
  /** PostgreSQL only, when there are migrations: a server on which a throwaway shadow database is made. */
  postgresServerUrl?: string;
}): Promise<string> {
  const { provider, migrations, schema } = options;
  const factory = closingMainConnections(provider === 'sqlite' ? sqliteFactory() : postgresFactory(options.postgresServerUrl, migrations.length > 0));
  const engine = await startSchemaEngine(factory, schema);
  try {
    const list = migrationList(provider, migrations, options.migrationsDir);
    // With no history yet, diff from empty: needs no database at all.
    const result = await engine.diff({
      from: migrations.length === 0 ? { tag: 'empty' } : { tag: 'migrations', ...list },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true, // 2 = there is a difference
      filters: NO_FILTERS,
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } finally {
    engine.free();
    await factory.closeAll();
  }
}

/** free() does not dispose the engine's main connection; an idle pg pool would keep the process alive 10 s. */
function closingMainConnections(factory: SqlMigrationAwareDriverAdapterFactory) {
  const opened: SqlDriverAdapter[] = [];
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
    closeAll: () => Promise.all(opened.map((a) => a.dispose().catch(() => {}))),
  };
}

function migrationList(provider: DatabaseProvider, migrations: MigrationFile[], dir: string): MigrationList {
  return {
    baseDir: dir,
    lockfile: { path: LOCK_FILE, content: lockFileContent(provider) },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((m) => ({
      path: m.name,
      migrationFile: { path: MIGRATION_FILE, content: { tag: 'ok', value: m.sql } },
    })),
  };
}

/**
 * How Prisma's own engine judges the migration history recorded in a live database against `migrations`
 * (`prisma migrate status`): proves lib/db/migrate.ts records what the Prisma CLI expects.
 */
export async function migrationHistoryStatus(url: string, migrations: MigrationFile[], dir: string): Promise<DiagnoseMigrationHistoryOutput> {
  const provider = providerOf(url);
  const main =
    provider === 'sqlite' ? new PrismaBetterSqlite3({ url: sqliteFilePath(url), timeout: 5000 }) : pgAdapter(url);
  const factory = closingMainConnections({ provider: main.provider, adapterName: main.adapterName, connect: () => main.connect(), connectToShadowDb: () => Promise.reject(new Error('no shadow database here')) });
  const engine = await startSchemaEngine(factory, { path: 'schema.prisma', content: `datasource db {\n  provider = "${provider}"\n}\n` });
  try {
    return await engine.diagnoseMigrationHistory({ migrationsList: migrationList(provider, migrations, dir), optInToShadowDatabase: false, filters: NO_FILTERS });
  } finally {
    engine.free();
    await factory.closeAll();
  }
}

async function startSchemaEngine(factory: SqlMigrationAwareDriverAdapterFactory, schema: SchemaFile): Promise<SchemaEngine> {
  initWasm();
  const log = process.env.CTMS_SCHEMA_ENGINE_LOG ? (m: string) => console.error(m) : () => {};
  return bindings.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, log, bindMigrationAwareSqlAdapterFactory(factory));
}

/**
 * In-memory SQLite main and shadow databases. The engine replays each migration into the shadow through
 * executeRaw as one multi-statement script, which better-sqlite3's prepare() rejects (RangeError, before
 * running anything); such scripts go to executeScript (exec) instead.
 */
function sqliteFactory(): SqlMigrationAwareDriverAdapterFactory {
  const inner = new PrismaBetterSqlite3({ url: ':memory:' });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: () => inner.connect(),
    async connectToShadowDb() {
      const shadow = await inner.connectToShadowDb();
      const executeRaw = shadow.executeRaw.bind(shadow);
      shadow.executeRaw = async (query: SqlQuery) => {
        try {
          return await executeRaw(query);
        } catch (e) {
          if (!(e instanceof RangeError) || !/more than one statement/.test(e.message) || query.args.length > 0) throw e;
          await shadow.executeScript(query.sql);
          return 0;
        }
      };
      return shadow;
    },
  };
}

/**
 * adapter-pg cannot map the `"char"` column type (OID 18) that pg_catalog introspection returns; its text
 * value is a plain string, so report those columns as text (OID 25).
 */
class CharAsTextClient extends pg.Client {
  // pg's overloads (callback or promise) are passed through untouched; only results are adjusted.
  query(...args: unknown[]): any {
    const fix = (res: unknown) => {
      for (const r of Array.isArray(res) ? res : [res]) {
        for (const f of (r as pg.QueryResult | undefined)?.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25;
      }
      return res;
    };
    const cb = args.length > 0 && typeof args[args.length - 1] === 'function' ? (args.pop() as (err: unknown, res: unknown) => void) : null;
    if (cb) return (super.query as (...a: unknown[]) => unknown)(...args, (err: unknown, res: unknown) => cb(err, err ? res : fix(res)));
    const ret = (super.query as (...a: unknown[]) => unknown)(...args);
    return ret instanceof Promise ? ret.then(fix) : ret;
  }
}

function pgAdapter(url: string) {
  return new PrismaPg(new pg.Pool({ connectionString: url, Client: CharAsTextClient }), { disposeExternalPool: true });
}

/**
 * The shadow database lives on its own throwaway database: adapter-pg's built-in one keeps the main
 * database when the config is a connection string, and drops the shadow before closing its pool.
 */
function postgresFactory(serverUrl: string | undefined, needsShadow: boolean): SqlMigrationAwareDriverAdapterFactory {
  if (needsShadow && !serverUrl) {
    throw new Error('Authoring a PostgreSQL migration needs a PostgreSQL server for a shadow database: set SHADOW_DATABASE_URL (or a postgresql:// DATABASE_URL).');
  }
  // Without migrations the diff starts from empty and never connects; the URL is then only a placeholder.
  const main = pgAdapter(serverUrl ?? 'postgresql://localhost/unused');
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    async connectToShadowDb(): Promise<SqlDriverAdapter> {
      const scratch = await createScratchDatabase(serverUrl!, 'ctms_shadow');
      const adapter = await pgAdapter(scratch.url).connect();
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await scratch.drop();
      };
      return adapter;
    },
  };
}
