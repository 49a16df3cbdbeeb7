/**
 * A fresh, migrated database for one test (or one file): a temporary SQLite file, or a throwaway
 * PostgreSQL database (needs the server of lib/testing/postgres.ts). Always `await cleanup()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb, type Db, type DatabaseProvider } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { createTestPostgresDatabase } from './postgres';

export interface TestDb {
  db: Db;
  url: string;
  provider: DatabaseProvider;
  /** Disconnects and deletes the database. */
  cleanup(): Promise<void>;
}

export async function createTestDb(provider: DatabaseProvider = 'sqlite'): Promise<TestDb> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'ctms-test-'));
    const url = `file:${path.join(dir, 'test.db')}`;
    await migrateDatabase(url);
    const db = createDb(url);
    return {
      db,
      url,
      provider,
      async cleanup() {
        await db.$disconnect();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const scratch = await createTestPostgresDatabase();
  try {
    await migrateDatabase(scratch.url);
  } catch (e) {
    await scratch.drop();
    throw e;
  }
  const db = createDb(scratch.url);
  return {
    db,
    url: scratch.url,
    provider,
    async cleanup() {
      await db.$disconnect();
      await scratch.drop();
    },
  };
}
