import path from 'node:path';

export type DatabaseProvider = 'sqlite' | 'postgresql';

/** Where the derived PostgreSQL schema is written (generated, git-ignored). */
export function postgresSchemaPath(root: string): string {
  return path.join(root, 'lib/generated/postgresql.prisma');
}

/**
 * Derives the PostgreSQL schema from the SQLite one: same models, other provider and client output.
 * Kept as a pure text transform so a test can check it.
 */
export function derivePostgresSchema(sqliteSchema: string): string {
  const out = sqliteSchema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"\.\.\/lib\/generated\/sqlite"/, 'output   = "./postgresql"');
  if (out === sqliteSchema || !out.includes('"postgresql"') || !out.includes('"./postgresql"')) {
    throw new Error('prisma/schema.prisma no longer has the expected datasource/generator blocks');
  }
  return '// GENERATED from prisma/schema.prisma by scripts/prisma-generate.ts — do not edit.\n' + out;
}
