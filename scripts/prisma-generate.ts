/**
 * Generates the Prisma clients for both databases from prisma/schema.prisma (SQLite, the source of
 * truth): lib/generated/sqlite and lib/generated/postgresql. The PostgreSQL schema is derived, never
 * edited by hand. The Prisma CLI wants a native schema engine it cannot download offline; `generate`
 * does not use it, so any existing file satisfies the check (see shared/docs/offline-notes.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { postgresSchemaPath, derivePostgresSchema } from '../lib/db/schemaVariants';

const root = path.resolve(__dirname, '..');
const sqliteSchema = path.join(root, 'prisma/schema.prisma');

mkdirSync(path.dirname(postgresSchemaPath(root)), { recursive: true });
writeFileSync(postgresSchemaPath(root), derivePostgresSchema(readFileSync(sqliteSchema, 'utf8')));

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
const prismaCli = require.resolve('prisma/build/index.js');
for (const schema of [sqliteSchema, postgresSchemaPath(root)]) {
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schema], { cwd: root, env, stdio: 'inherit' });
}
