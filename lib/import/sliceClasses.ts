/**
 * Slice classes for imported slices: from a `file,class` CSV, or from the name of the folder holding the images
 * (e.g. `COVID/`, `non-COVID/`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ImportError } from '@/lib/imaging/readers/importError';

/** Folder names taken as slice classes when no CSV is given (matched case-insensitively, stored as spelt here). */
export const DEFAULT_CLASS_FOLDERS = ['COVID', 'non-COVID', 'COVID-19', 'NonCOVID', 'Normal', 'CP', 'Pneumonia'] as const;

const rowSchema = z.object({
  file: z.string().trim().min(1, 'file is empty'),
  class: z.string().trim().min(1, 'class is empty').max(64, 'class is longer than 64 characters'),
});

/** Splits CSV text into rows of fields (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

/**
 * Reads a labels CSV with a header naming the columns `file` and `class` (any order, other columns ignored).
 * Returns file key → class. Throws ImportError naming the CSV and the line for anything invalid.
 */
export async function readLabelsCsv(csvFile: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await fs.readFile(csvFile, 'utf8');
  } catch (err) {
    throw new ImportError(csvFile, `cannot read labels CSV: ${(err as Error).message}`, { cause: err });
  }
  return parseLabelsCsv(text, csvFile);
}

export function parseLabelsCsv(text: string, csvFile: string): Map<string, string> {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (err) {
    throw new ImportError(csvFile, `invalid CSV: ${(err as Error).message}`);
  }
  if (rows.length === 0) throw new ImportError(csvFile, 'labels CSV is empty; expected a header "file,class" and one row per file');
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const fileCol = header.indexOf('file');
  const classCol = header.indexOf('class');
  if (fileCol < 0 || classCol < 0) {
    throw new ImportError(csvFile, `labels CSV header must name the columns "file" and "class", got "${rows[0].join(',')}"`);
  }
  const out = new Map<string, string>();
  for (let r = 1; r < rows.length; r++) {
    const parsed = rowSchema.safeParse({ file: rows[r][fileCol] ?? '', class: rows[r][classCol] ?? '' });
    if (!parsed.success) {
      throw new ImportError(csvFile, `line ${r + 1}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    const key = normaliseKey(parsed.data.file);
    const before = out.get(key);
    if (before !== undefined && before !== parsed.data.class) {
      throw new ImportError(csvFile, `line ${r + 1}: "${parsed.data.file}" is labelled both "${before}" and "${parsed.data.class}"`);
    }
    out.set(key, parsed.data.class);
  }
  return out;
}

function normaliseKey(file: string): string {
  return file.trim().replace(/\\/g, '/').replace(/^\.\//, '');
}

/** Base name without its CT extension(s): `a/b/0001.png` → `0001`, `vol.nii.gz` → `vol`. */
export function stem(file: string): string {
  return path.basename(file).replace(/\.nii\.gz$/i, '').replace(/\.[^.]+$/, '');
}

/**
 * The CSV's class for a file: looked up by its path relative to each of `roots` (the import root, the CSV's
 * folder), then the base name, then the base name without extension. `extraKeys` are tried last (e.g. a DICOM
 * series folder).
 */
export function classFromCsv(labels: Map<string, string>, file: string, roots: string[], extraKeys: string[] = []): string | undefined {
  const rel = roots.map((root) => path.relative(root, file).split(path.sep).join('/'));
  for (const key of [...rel, path.basename(file), stem(file), ...extraKeys.map(normaliseKey)]) {
    const hit = labels.get(key);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** The class named by the folder that holds `file`, when that folder's name is one of `classFolders`. */
export function classFromFolder(file: string, classFolders: readonly string[] = DEFAULT_CLASS_FOLDERS): string | undefined {
  const folder = path.basename(path.dirname(file)).toLowerCase();
  return classFolders.find((c) => c.toLowerCase() === folder);
}
