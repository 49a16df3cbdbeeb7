import fs from 'node:fs';
import path from 'node:path';

/** Repository root (this file lives in <repo>/lib/testing). */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Real chest-CT data shared beside every checkout (never copied into the repo). */
export function sharedDataDir(): string {
  return process.env.CT_DATA_DIR ?? path.resolve(repoRoot, '..', 'shared', 'data');
}

/** Torchvision reference fixtures shared beside every checkout. */
export function referenceDir(): string {
  return process.env.CT_REFERENCE_DIR ?? path.resolve(repoRoot, '..', 'shared', 'reference');
}

/** True when `dir` exists; tests use it with `it.skipIf(!exists(dir))` and say why they skipped. */
export function exists(dir: string): boolean {
  return fs.existsSync(dir);
}
