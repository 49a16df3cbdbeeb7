/**
 * The latest active-learning simulation (written by the simulation script to DATA_DIR/al-simulation/latest.csv,
 * columns strategy,labelled,seed,maskAP50,dice): curves of each strategy against the number of labelled slices,
 * the mean over seeds at each point.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from '@/lib/import/sliceClasses';
import { dataDir } from '@/lib/paths';
import type { Curve } from './learningCurve';

export const SIMULATION_FILE = path.join('al-simulation', 'latest.csv');
export const SIMULATION_METRICS = [
  { key: 'maskAP50', label: 'AP@0.5' },
  { key: 'dice', label: 'Dice' },
] as const;
export type SimulationMetric = (typeof SIMULATION_METRICS)[number]['key'];

export interface SimulationRow {
  strategy: string;
  labelled: number;
  seed: number;
  maskAP50: number | null;
  dice: number | null;
}

const REQUIRED = ['strategy', 'labelled', 'seed', 'maskAP50', 'dice'] as const;

/** Parses the simulation CSV (header with the five columns in any order); an empty figure cell is null. */
export function parseSimulationCsv(text: string): SimulationRow[] {
  const [header, ...lines] = parseCsv(text);
  if (!header) return [];
  const index = Object.fromEntries(header.map((h, i) => [h.trim(), i]));
  const missing = REQUIRED.filter((c) => index[c] === undefined);
  if (missing.length) throw new Error(`the simulation CSV lacks the column(s) ${missing.join(', ')} (expected ${REQUIRED.join(',')})`);
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
    return {
      strategy,
      labelled: num(cells[index.labelled], 'labelled', line, false)!,
      seed: num(cells[index.seed], 'seed', line, false)!,
      maskAP50: num(cells[index.maskAP50], 'maskAP50', line, true),
      dice: num(cells[index.dice], 'dice', line, true),
    };
  });
}

/** Column key of a strategy's curve (prefixed: a strategy may be called anything, even "labelled"). */
export const strategyKey = (strategy: string) => `strategy.${strategy}`;

/**
 * One curve per strategy for `metric`: at each labelled count, the mean over the seeds that have a figure there
 * (null where none has). Rows are the union of the labelled counts, ascending; strategies in first-seen order with
 * `random` last, the baseline the others are read against.
 */
export function simulationCurves(rows: readonly SimulationRow[], metric: SimulationMetric): Curve {
  const strategies = [...new Set(rows.map((r) => r.strategy))].sort((a, b) => Number(a === 'random') - Number(b === 'random'));
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of rows) {
    const v = r[metric];
    if (v === null) continue;
    const key = `${r.strategy}\u0000${r.labelled}`;
    const acc = sums.get(key) ?? { sum: 0, n: 0 };
    acc.sum += v;
    acc.n += 1;
    sums.set(key, acc);
  }
  const counts = [...new Set(rows.map((r) => r.labelled))].sort((a, b) => a - b);
  const table = {
    columns: [{ key: 'labelled', label: 'Labelled slices' }, ...strategies.map((s) => ({ key: strategyKey(s), label: s }))],
    rows: counts.map((labelled) => ({
      labelled,
      ...Object.fromEntries(strategies.map((s) => {
        const acc = sums.get(`${s}\u0000${labelled}`);
        return [strategyKey(s), acc ? acc.sum / acc.n : null];
      })),
    })),
  };
  return { series: strategies.map((s) => ({ key: strategyKey(s), label: s })), table };
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
