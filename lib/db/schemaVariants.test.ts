import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './client';
import { derivePostgresSchema, postgresSchemaPath } from './schemaVariants';

const sqliteSchema = readFileSync(path.join(repoRoot(), 'prisma/schema.prisma'), 'utf8');
/** Model/enum blocks only: what must be identical across providers. */
const models = (schema: string) => schema.slice(schema.search(/^(enum|model) /m));

describe('derivePostgresSchema', () => {
  const derived = derivePostgresSchema(sqliteSchema);

  it('switches provider and client output, and nothing else', () => {
    expect(derived).toMatch(/datasource db \{\s*provider = "postgresql"\s*\}/);
    expect(derived).toMatch(/output\s*=\s*"\.\/postgresql"/);
    expect(derived).not.toContain('"sqlite"');
    expect(models(derived)).toBe(models(sqliteSchema));
    expect(models(derived)).toMatch(/^model Annotation \{/m);
  });

  it('refuses a schema without the expected blocks', () => {
    expect(() => derivePostgresSchema('model A {\n  id Int @id\n}\n')).toThrow(/expected datasource\/generator blocks/);
  });

  it('matches the generated lib/generated/postgresql.prisma (else run `npx tsx scripts/prisma-generate.ts`)', () => {
    const file = postgresSchemaPath(repoRoot());
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(derived);
  });
});
