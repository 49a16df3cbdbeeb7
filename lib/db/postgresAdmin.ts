/**
 * Throwaway PostgreSQL databases on a server the caller can reach: shadow databases for authoring
 * migrations (scripts/migrate.ts create) and fresh databases for tests (lib/testing/postgres.ts).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  name: string;
  /** Connection URL of the new database (same server and credentials as the server URL). */
  url: string;
  /** Drops the database, closing any connections still open to it. */
  drop(): Promise<void>;
}

/** host:port/database of a URL, without credentials, for messages. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'the PostgreSQL server';
  }
}

/** `url` pointing at database `name` instead. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Null when the server answers `SELECT 1` within `timeoutMs`, else why not. */
export async function probePostgres(url: string, timeoutMs = 3000): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return `PostgreSQL at ${describePostgresUrl(url)} is not reachable: ${(e as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function asAdmin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`Cannot connect to PostgreSQL at ${describePostgresUrl(serverUrl)}: ${(e as Error).message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database `<prefix>_<random>` on the server of `serverUrl` (its role needs CREATEDB). */
export async function createScratchDatabase(serverUrl: string, prefix = 'ctms_scratch'): Promise<ScratchDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`Database name prefix "${prefix}" must be lower-case letters, digits and _`);
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await asAdmin(serverUrl, async (c) => {
    try {
      await c.query(`CREATE DATABASE "${name}"`);
    } catch (e) {
      throw new Error(`Cannot create database ${name} on ${describePostgresUrl(serverUrl)}: ${(e as Error).message} (the role needs CREATEDB).`);
    }
  });
  let dropped = false;
  return {
    name,
    url: withDatabase(serverUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE (PostgreSQL 13+) ends sessions a caller forgot to close, so cleanup never hangs.
      await asAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
