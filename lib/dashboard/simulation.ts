/**
 * The latest active-learning simulation (written by the simulation script to DATA_DIR/al-simulation/latest.csv,
 * columns strategy,labelled,seed,maskAP50,dice and per class): curves of each strategy against the number of
 * labelled slices, the mean over seeds at each point with its spread.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from '@/lib/import/sliceClasses';
import { dataDir } from '@/lib/paths';
import { aggregateCurves, type CurveMetric, type RoundResult } from '@/lib/al/curves';
import type { Curve } from './learningCurve';

export const SIMULATION_FILE = path.join('al-simulation', 'latest.csv');
/** The headline metrics; per-class ones (`maskAP50:GGO`, …) follow when the CSV has them. */
export const SIMULATION_METRICS = [
  { key: 'maskAP50', label: 'AP@0.5' },
  { key: 'dice', label: 'Dice' },
] as const;
export type SimulationMetric = string;

/** One simulation round as the CSV holds it (lib/al/simulationReport.ts writes it). */
export type SimulationRow = RoundResult;

const REQUIRED = ['strategy', 'labelled', 'seed', 'maskAP50', 'dice'] as const;
const PER_CLASS = /^(maskAP50|dice):(.+)$/;

/**
 * Parses the simulation CSV (header with the five columns in any order, and per-class columns `maskAP50:<class>`,
 * `dice:<class>` when present); an empty figure cell is null.
 */
export function parseSimulationCsv(text: string): SimulationRow[] {
  const [header, ...lines] = parseCsv(text);
  if (!header) return [];
  const index = Object.fromEntries(header.map((h, i) => [h.trim(), i]));
  const missing = REQUIRED.filter((c) => index[c] === undefined);
  if (missing.length) throw new Error(`the simulation CSV lacks the column(s) ${missing.join(', ')} (expected ${REQUIRED.join(',')})`);
  const classColumns = header.map((h) => h.trim().match(PER_CLASS)).filter((m): m is RegExpMatchArray => m !== null);
  const num = (raw: string | undefined, column: string, line: number, optional: boolean): number | null => {
    const text = (raw ?? '').trim();
    if (text === '' && optional) return null;
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) throw new Error(`line ${line}: ${column} "${text}" is not a number`);
    return value;
  };
  return lines.map((cells, k) => {
    const line = k + 2;
    const strategy = (cells[index.strategy] ?? '').trim();
    if (!strategy) throw new Error(`line ${line}: strategy is empty`);
    const row: SimulationRow = {
      strategy,
      labelled: num(cells[index.labelled], 'labelled', line, false)!,
      seed: num(cells[index.seed], 'seed', line, false)!,
      maskAP50: num(cells[index.maskAP50], 'maskAP50', line, true),
      dice: num(cells[index.dice], 'dice', line, true),
    };
    for (const [column, metric, cls] of classColumns) {
      row.perClass ??= {};
      row.perClass[cls] ??= { maskAP50: null, dice: null };
      row.perClass[cls][metric as CurveMetric] = num(cells[index[column]], column, line, true);
    }
    return row;
  });
}

/** The metrics the rows can show: the headline two, then AP and Dice per class. */
export function simulationMetrics(rows: readonly SimulationRow[]): { key: string; label: string }[] {
  const classes = [...new Set(rows.flatMap((r) => Object.keys(r.perClass ?? {})))];
  return [...SIMULATION_METRICS, ...classes.flatMap((c) => SIMULATION_METRICS.map((m) => ({ key: `${m.key}:${c}`, label: `${m.label} ${c}` })))];
}

/** Column key of a strategy's curve (prefixed: a strategy may be called anything, even "labelled"). */
export const strategyKey = (strategy: string) => `strategy.${strategy}`;
export const spreadKey = (strategy: string) => `${strategyKey(strategy)}.std`;

/**
 * One curve per strategy for `metric` (a headline key, or `<metric>:<class>`): at each labelled count, the mean
 * over the seeds that have a figure there and its standard deviation (lib/al/curves.ts; null where none has).
 * Rows are the union of the labelled counts, ascending; strategies in first-seen order with `random` last, the
 * baseline the others are read against.
 */
export function simulationCurves(rows: readonly SimulationRow[], metric: SimulationMetric): Curve {
  const strategies = [...new Set(rows.map((r) => r.strategy))].sort((a, b) => Number(a === 'random') - Number(b === 'random'));
  const [base, cls] = metric.split(':') as [CurveMetric, string | undefined];
  const curves = aggregateCurves(rows);
  const pointsOf = (s: string) => (cls ? curves[s]?.byClass?.[cls]?.[base] : curves[s]?.[base]) ?? [];
  const counts = [...new Set(rows.map((r) => r.labelled))].sort((a, b) => a - b);
  const table = {
    columns: [
      { key: 'labelled', label: 'Labelled slices' },
      ...strategies.flatMap((s) => [{ key: strategyKey(s), label: s }, { key: spreadKey(s), label: `${s} (std over seeds)` }]),
    ],
    rows: counts.map((labelled) => ({
      labelled,
      ...Object.fromEntries(strategies.flatMap((s) => {
        const p = pointsOf(s).find((q) => q.labelled === labelled);
        return [[strategyKey(s), p ? p.mean : null], [spreadKey(s), p ? p.std : null]];
      })),
    })),
  };
  return { series: strategies.map((s) => ({ key: strategyKey(s), label: s, spreadKey: spreadKey(s) })), table };
}

export interface SimulationResult {
  file: string;
  modifiedAt: string;
  rows: SimulationRow[];
}

/** The latest simulation, null when none has been written; a file that does not parse throws with the reason. */
export async function readLatestSimulation(root: string = dataDir()): Promise<SimulationResult | null> {
  const file = path.join(root, SIMULATION_FILE);
  let text: string;
  let modifiedAt: Date;
  try {
    [text, { mtime: modifiedAt }] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return { file, modifiedAt: modifiedAt.toISOString(), rows: parseSimulationCsv(text) };
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}
