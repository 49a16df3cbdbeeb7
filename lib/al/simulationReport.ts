/**
 * Outputs of the active-learning simulation: the per-round CSV, a learning-curve plot (an SVG drawn here, rendered
 * to PNG with sharp) and a text table for the terminal.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { toCsv } from '@/lib/dashboard/csv';
import { CURVE_METRICS, type CurveMetric, type CurvePoint, type Curves, type RoundResult } from './curves';

const METRIC_LABEL: Record<CurveMetric, string> = { maskAP50: 'mask AP@0.5', dice: 'Dice' };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
/** Dashes too, so a strategy that picks the same slices as another (combined without S) stays visible on top of it. */
const DASHES = ['', '8 4', '2 4', '12 4 2 4'];

/** One row per round; per-class figures (when rounds report them) in columns `maskAP50:<class>`, `dice:<class>`. */
export function simulationCsv(rows: readonly RoundResult[]): string {
  const classes = [...new Set(rows.flatMap((r) => Object.keys(r.perClass ?? {})))];
  const keys = ['strategy', 'labelled', 'seed', 'maskAP50', 'dice', ...classes.flatMap((c) => [`maskAP50:${c}`, `dice:${c}`])];
  const flat = rows.map(({ perClass, ...r }) => ({
    ...r,
    ...Object.fromEntries(classes.flatMap((c) => [[`maskAP50:${c}`, perClass?.[c]?.maskAP50 ?? null], [`dice:${c}`, perClass?.[c]?.dice ?? null]])),
  }));
  return toCsv({ columns: keys.map((key) => ({ key, label: key })), rows: flat });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One panel per metric: mean curve per strategy with a ±1 std band over seeds; y from 0 to 1. */
export function learningCurveSvg(curves: Curves, title: string): string {
  const panelW = 420, panelH = 300, margin = { l: 56, r: 16, t: 48, b: 48 }, legendH = 28;
  const width = CURVE_METRICS.length * (panelW + margin.l + margin.r);
  const height = panelH + margin.t + margin.b + legendH;
  const strategies = Object.keys(curves);
  const all = strategies.flatMap((s) => CURVE_METRICS.flatMap((m) => curves[s][m].map((p) => p.labelled)));
  const xMin = all.length ? Math.min(...all) : 0;
  const xMax = all.length ? Math.max(...all) : 1;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  CURVE_METRICS.forEach((metric, k) => {
    const ox = k * (panelW + margin.l + margin.r) + margin.l;
    const oy = margin.t;
    const x = (v: number) => ox + (xMax === xMin ? panelW / 2 : ((v - xMin) / (xMax - xMin)) * panelW);
    const y = (v: number) => oy + panelH - Math.max(0, Math.min(1, v)) * panelH;
    parts.push(`<rect x="${ox}" y="${oy}" width="${panelW}" height="${panelH}" fill="none" stroke="#444"/>`);
    for (let t = 0; t <= 1.0001; t += 0.2) {
      parts.push(`<line x1="${ox}" x2="${ox + panelW}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`, `<text x="${ox - 6}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(1)}</text>`);
    }
    const ticks = [...new Set(all)].sort((a, b) => a - b);
    for (const v of ticks) parts.push(`<text x="${x(v)}" y="${oy + panelH + 16}" text-anchor="middle">${v}</text>`);
    parts.push(
      `<text x="${ox + panelW / 2}" y="${oy + panelH + 34}" text-anchor="middle">labelled slices</text>`,
      `<text x="${ox + panelW / 2}" y="${oy - 8}" text-anchor="middle" font-size="13">${METRIC_LABEL[metric]} on the val split (mean ± std over seeds)</text>`,
    );
    strategies.forEach((s, i) => {
      const pts: CurvePoint[] = curves[s][metric];
      if (!pts.length) return;
      const colour = COLOURS[i % COLOURS.length];
      const upper = pts.map((p) => `${x(p.labelled)},${y(p.mean + p.std)}`);
      const lower = pts.map((p) => `${x(p.labelled)},${y(p.mean - p.std)}`).reverse();
      parts.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.15" stroke="none"/>`,
        `<polyline points="${pts.map((p) => `${x(p.labelled)},${y(p.mean)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="${DASHES[i % DASHES.length]}"/>`,
        ...pts.map((p) => `<circle cx="${x(p.labelled)}" cy="${y(p.mean)}" r="3" fill="${colour}"/>`),
      );
    });
  });
  strategies.forEach((s, i) => {
    const lx = margin.l + i * 160;
    const ly = height - 12;
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="3" stroke-dasharray="${DASHES[i % DASHES.length]}"/>`, `<text x="${lx + 30}" y="${ly}">${esc(s)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Columns: labelled, then per strategy "mean ± std" of each metric. */
export function curvesTable(curves: Curves): string {
  const strategies = Object.keys(curves);
  const counts = [...new Set(strategies.flatMap((s) => CURVE_METRICS.flatMap((m) => curves[s][m].map((p) => p.labelled))))].sort((a, b) => a - b);
  const header = ['labelled', ...strategies.flatMap((s) => CURVE_METRICS.map((m) => `${s} ${METRIC_LABEL[m]}`))];
  const fmt = (p?: CurvePoint) => (p ? `${p.mean.toFixed(3)} ± ${p.std.toFixed(3)}` : '—');
  const body = counts.map((n) => [String(n), ...strategies.flatMap((s) => CURVE_METRICS.map((m) => fmt(curves[s][m].find((p) => p.labelled === n))))]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  return [header, ...body].map((r) => r.map((v, c) => v.padStart(widths[c])).join('  ')).join('\n');
}

export interface SimulationFiles {
  csv: string;
  latestCsv: string;
  png: string;
  latestPng: string;
}

/** Where a run started at `when` writes: <out>/<dataset>-<timestamp>.csv/.png, copied to latest.csv / latest.png. */
export function simulationFiles(outDir: string, datasetName: string, when: Date): SimulationFiles {
  const stem = `${datasetName}-${when.toISOString().replace(/[:.]/g, '-')}`;
  return {
    csv: path.join(outDir, `${stem}.csv`), latestCsv: path.join(outDir, 'latest.csv'),
    png: path.join(outDir, `${stem}.png`), latestPng: path.join(outDir, 'latest.png'),
  };
}

/** Rewrites the run's CSV with the rounds so far, so an interrupted simulation still leaves its finished rounds. */
export function writePartialCsv(files: SimulationFiles, rows: readonly RoundResult[]): void {
  fs.mkdirSync(path.dirname(files.csv), { recursive: true });
  fs.writeFileSync(files.csv, simulationCsv(rows));
}

/** Writes the final CSV and plot and copies both to latest.*. */
export async function writeSimulationOutputs(files: SimulationFiles, datasetName: string, rows: readonly RoundResult[], curves: Curves): Promise<SimulationFiles> {
  writePartialCsv(files, rows);
  fs.copyFileSync(files.csv, files.latestCsv);
  await sharp(Buffer.from(learningCurveSvg(curves, `Active-learning simulation: ${datasetName}`))).png().toFile(files.png);
  fs.copyFileSync(files.png, files.latestPng);
  return files;
}
