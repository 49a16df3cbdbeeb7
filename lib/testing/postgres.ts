/**
 * PostgreSQL for tests: the server of TEST_POSTGRES_URL (default: the local one), probed once per test
 * file, and fresh throwaway databases on it. Without a server, PostgreSQL tests are skipped with a
 * visible warning, unless REQUIRE_POSTGRES=1 (CI), which turns a missing server into a failure.
 *
 *   const pg = await testPostgres();
 *   describe.skipIf(!pg.available)('… on PostgreSQL', () => { … });
 */
import { createScratchDatabase, probePostgres, type ScratchDatabase } from '@/lib/db/postgresAdmin';

export function testPostgresUrl(): string {
  return process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export interface TestPostgres {
  url: string;
  available: boolean;
  /** Why it is unavailable. */
  reason?: string;
}

let probed: Promise<TestPostgres> | undefined;

export function testPostgres(): Promise<TestPostgres> {
  probed ??= (async () => {
    const url = testPostgresUrl();
    const reason = await probePostgres(url);
    if (!reason) return { url, available: true };
    if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`REQUIRE_POSTGRES=1 but ${reason}`);
    console.warn(`Skipping PostgreSQL tests: ${reason}. Set TEST_POSTGRES_URL to a server whose role has CREATEDB.`);
    return { url, available: false, reason };
  })();
  return probed;
}

/** A new empty database ctms_test_<random> on the test server; `drop()` it when done. */
export async function createTestPostgresDatabase(): Promise<ScratchDatabase> {
  return createScratchDatabase(testPostgresUrl(), 'ctms_test');
}
