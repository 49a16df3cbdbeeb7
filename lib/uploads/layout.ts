/** Where the masks and the slice classes are in an unpacked upload. */
import fs from 'node:fs/promises';
import path from 'node:path';

async function walk(dir: string, depth = 0): Promise<{ dirs: { p: string; depth: number }[]; files: { p: string; depth: number }[] }> {
  const out = { dirs: [] as { p: string; depth: number }[], files: [] as { p: string; depth: number }[] };
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      out.dirs.push({ p, depth });
      const inner = await walk(p, depth + 1);
      out.dirs.push(...inner.dirs);
      out.files.push(...inner.files);
    } else if (e.isFile()) out.files.push({ p, depth });
  }
  return out;
}

/**
 * The layout of an unpacked upload: the shallowest folder named `masks` (label masks, matched to images by name),
 * and `labels.csv` (else the shallowest other *.csv) with the slice classes.
 */
export async function detectLayout(root: string): Promise<{ masksDir?: string; labelsCsv?: string }> {
  const { dirs, files } = await walk(root);
  const shallowest = <T extends { depth: number }>(xs: T[]) => xs.sort((a, b) => a.depth - b.depth)[0];
  const masks = shallowest(dirs.filter((d) => path.basename(d.p).toLowerCase() === 'masks'));
  const csvs = files.filter((f) => f.p.toLowerCase().endsWith('.csv'));
  const labels = shallowest(csvs.filter((f) => path.basename(f.p).toLowerCase() === 'labels.csv')) ?? shallowest(csvs);
  return { masksDir: masks?.p, labelsCsv: labels?.p };
}
