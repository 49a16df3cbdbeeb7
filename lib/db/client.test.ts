import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, databaseUrl, getDb, providerOf, repoRoot, sqliteFilePath } from './client';

describe('databaseUrl', () => {
  it('defaults to data/ctms.db under the repo root', () => {
    expect(databaseUrl({})).toBe(`file:${path.join(repoRoot(), 'data/ctms.db')}`);
    expect(databaseUrl({ DATABASE_URL: '  ' })).toBe(`file:${path.join(repoRoot(), 'data/ctms.db')}`);
  });

  it('resolves relative file: paths against the repo root, keeps absolute ones', () => {
    expect(databaseUrl({ DATABASE_URL: 'file:./x/dev.db' })).toBe(`file:${path.join(repoRoot(), 'x/dev.db')}`);
    expect(databaseUrl({ DATABASE_URL: 'file:/tmp/a.db' })).toBe('file:/tmp/a.db');
    expect(databaseUrl({ DATABASE_URL: 'file:///tmp/b.db' })).toBe('file:/tmp/b.db');
  });

  it('passes PostgreSQL URLs through', () => {
    const url = 'postgresql://u:p@db.example:5433/ctms';
    expect(databaseUrl({ DATABASE_URL: url })).toBe(url);
  });

  it('finds the repo root (holds prisma/schema.prisma)', () => {
    expect(existsSync(path.join(repoRoot(), 'prisma/schema.prisma'))).toBe(true);
    expect(sqliteFilePath('file:prisma/../data/x.db')).toBe(path.join(repoRoot(), 'data/x.db'));
  });
});

describe('providerOf', () => {
  it('maps schemes to providers', () => {
    expect(providerOf('file:./a.db')).toBe('sqlite');
    expect(providerOf('postgres://h/db')).toBe('postgresql');
    expect(providerOf('postgresql://h/db')).toBe('postgresql');
  });

  it('rejects other schemes with a hint', () => {
    expect(() => providerOf('mysql://root@h/db')).toThrow(/Unsupported DATABASE_URL "mysql:…".*file:.*postgresql:\/\//);
    expect(() => providerOf('./data/ctms.db')).toThrow(/Unsupported DATABASE_URL/);
  });
});

describe('SQLite connections', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctms-client-'));
  const saved = process.env.DATABASE_URL;
  afterAll(async () => {
    await getDb().$disconnect();
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply WAL, busy_timeout 5000 and foreign keys, and create the folder', async () => {
    const db = createDb(`file:${path.join(dir, 'nested/pragmas.db')}`);
    try {
      // Raw SQLite integers arrive as BigInt (the adapter enables safe integers): convert with Number().
      const [fk] = await db.$queryRawUnsafe<{ foreign_keys: bigint }[]>('PRAGMA foreign_keys');
      const [busy] = await db.$queryRawUnsafe<{ timeout: bigint }[]>('PRAGMA busy_timeout');
      const [journal] = await db.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
      expect(typeof fk.foreign_keys).toBe('bigint');
      expect(Number(fk.foreign_keys)).toBe(1);
      expect(Number(busy.timeout)).toBe(5000);
      expect(journal.journal_mode).toBe('wal');
    } finally {
      await db.$disconnect();
    }
  });

  it('getDb returns one client per process and follows DATABASE_URL changes', () => {
    process.env.DATABASE_URL = `file:${path.join(dir, 'a.db')}`;
    const a = getDb();
    expect(getDb()).toBe(a);
    process.env.DATABASE_URL = `file:${path.join(dir, 'b.db')}`;
    expect(getDb()).not.toBe(a);
  });
});
