/**
 * Where the project lives on disk. Bundlers (Next.js) rewrite __dirname, so the repository root is found from
 * this file when that still points into the checkout, else from the working directory (the root for npm scripts,
 * `next start` and vitest).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export function repoRoot(): string {
  const fromFile = typeof __dirname === 'string' ? path.resolve(__dirname, '..') : '';
  if (fromFile && existsSync(path.join(fromFile, 'prisma/schema.prisma'))) return fromFile;
  return process.cwd();
}

/** The local data folder (slice pixels, the default SQLite file, models): DATA_DIR, else <repo>/data. */
export function dataDir(): string {
  return path.resolve(repoRoot(), process.env.DATA_DIR ?? 'data');
}
