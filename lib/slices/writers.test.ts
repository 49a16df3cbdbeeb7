/**
 * The slice-write protocol holds only if nothing else writes what it guards. This test walks every source file of
 * the app, its CLIs and its worker, and fails on a write to a polygon, a revision, a slice label, a review event or
 * a slice's version/status anywhere but lib/slices/sliceTransaction.ts (lib/queue/leases.ts owns lease rows).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@/lib/paths';

const PROTOCOL = 'lib/slices/sliceTransaction.ts';
const ROOTS = ['app', 'lib', 'scripts', 'workers', 'components'];
const WRITE = '(?:create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany)';
/** Model-API writes to guarded tables; a slice may be created elsewhere (blank, version 0) but not updated. */
const GUARDED = [
  new RegExp(`\\.(annotation|annotationRevision|sliceLabel|reviewEvent)\\.${WRITE}\\b`),
  /\.slice\.(update|updateMany|updateManyAndReturn|upsert)\b/,
  // Raw SQL that writes the same tables.
  /\$execute(Raw|RawUnsafe)?[\s\S]{0,80}\b(INSERT|UPDATE|DELETE)\b[\s\S]{0,80}"?(Annotation|AnnotationRevision|SliceLabel|ReviewEvent|Slice)"?/i,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.ts$/.test(name) ? [full] : [];
  });
}

function bypasses(text: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  text.split('\n').forEach((code, k) => {
    if (GUARDED.some((re) => re.test(code))) found.push({ line: k + 1, code: code.trim() });
  });
  return found;
}

describe('slice writes go through the protocol', () => {
  const root = repoRoot();
  const files = ROOTS.flatMap((r) => sourceFiles(path.join(root, r))).map((f) => path.relative(root, f).split(path.sep).join('/'));

  it('walks the writers (the protocol itself is found and does write)', () => {
    expect(files).toContain(PROTOCOL);
    expect(files.length).toBeGreaterThan(100);
    expect(bypasses(readFileSync(path.join(root, PROTOCOL), 'utf8')).length).toBeGreaterThan(5);
  });

  it('finds a bypass when there is one', () => {
    expect(bypasses('await tx.annotation.update({ where: { id } })')).toHaveLength(1);
    expect(bypasses('await db.slice.updateMany({ where: { id }, data: { version: 3 } })')).toHaveLength(1);
    expect(bypasses('await db.$executeRawUnsafe(`UPDATE "Slice" SET version = 0`)')).toHaveLength(1);
    expect(bypasses('await db.slice.findMany({})')).toHaveLength(0);
  });

  it('no other file writes polygons, revisions, slice classes, review events or slice versions', () => {
    const offenders = files
      .filter((f) => f !== PROTOCOL)
      .flatMap((f) => bypasses(readFileSync(path.join(root, f), 'utf8')).map((b) => `${f}:${b.line}: ${b.code}`));
    expect(offenders).toEqual([]);
  });
});
