/**
 * Loads the torchvision reference fixtures (../shared/reference/*.json, see its README) for tests.
 *
 *   hasReference(): boolean                      — false when the folder is absent (tests skip, saying why)
 *   fixtureTitle(file): string                   — describe title naming the skip reason when absent
 *   loadReference<T = any>(file: string): T      — parsed JSON of one fixture file
 *   f32(nested): Float32Array                    — flatten a nested number list row-major, cast to float32
 *   i32(nested): Int32Array                      — same, as integers
 *   maskRows(rows: string[]): Uint8Array         — '0'/'1' row strings → row-major 0/1 bytes
 *   nchwToNhwc(data, [n, c, h, w]): Float32Array — the fixtures are NCHW, the project is NHWC
 *   firstMismatch(actual, expected, { abs?, rel? }) — first element off by more than abs and rel·|expected|, or null
 *   FIXTURE_ROUNDING_REL                         — relative slack for the fixtures' 6-significant-digit outputs
 */
import fs from 'node:fs';
import path from 'node:path';
import { exists, referenceDir } from './paths';

/**
 * Fixture outputs are rounded to 6 significant digits, i.e. off by up to 5e-6 relative: an absolute
 * tolerance alone (e.g. "abs 1e-5") cannot hold for values above 2. Tests add this relative allowance.
 */
export const FIXTURE_ROUNDING_REL = 6e-6;

export const REFERENCE_SKIP_REASON = `reference fixtures not found at ${referenceDir()} (set CT_REFERENCE_DIR)`;

export function hasReference(): boolean {
  return exists(referenceDir());
}

/** A describe title that says why its tests were skipped when the fixtures are missing. */
export function fixtureTitle(file: string): string {
  return hasReference() ? file : `${file} — skipped: ${REFERENCE_SKIP_REASON}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadReference<T = any>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(referenceDir(), file), 'utf8')) as T;
}

type Nested = number | Nested[];

function flatten(v: Nested, out: number[]): number[] {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(v);
  return out;
}

export function f32(v: Nested): Float32Array {
  return Float32Array.from(flatten(v, []));
}

export function i32(v: Nested): Int32Array {
  return Int32Array.from(flatten(v, []));
}

export function maskRows(rows: string[]): Uint8Array {
  const w = rows[0]?.length ?? 0;
  const out = new Uint8Array(rows.length * w);
  rows.forEach((r, y) => { for (let x = 0; x < w; x++) out[y * w + x] = r[x] === '1' ? 1 : 0; });
  return out;
}

export function nchwToNhwc(data: ArrayLike<number>, [n, c, h, w]: [number, number, number, number]): Float32Array {
  const out = new Float32Array(n * c * h * w);
  for (let b = 0; b < n; b++)
    for (let k = 0; k < c; k++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + k] = data[((b * c + k) * h + y) * w + x];
  return out;
}

/**
 * First element where |a − e| exceeds both abs and rel·|e| (the fixtures' "abs X or rel Y" rule), or null.
 * Tests assert `toBeNull()` so that a failure shows the index and both values.
 */
export function firstMismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { abs?: number; rel?: number },
): { index: number; actual: number; expected: number } | { lengths: [number, number] } | null {
  if (actual.length !== expected.length) return { lengths: [actual.length, expected.length] };
  const abs = tol.abs ?? 0;
  const rel = tol.rel ?? 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= Math.max(abs, rel * Math.abs(e)))) return { index: i, actual: a, expected: e };
  }
  return null;
}
