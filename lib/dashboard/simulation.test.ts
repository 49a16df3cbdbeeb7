import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimulationCsv, readLatestSimulation, SIMULATION_FILE, simulationCurves, simulationMetrics, spreadKey, strategyKey } from './simulation';

const CSV = ['labelled,strategy,seed,dice,maskAP50', '10,random,1,0.30,0.2', '10,random,2,0.40,0.3', '10,entropy,1,0.50,', '20,entropy,1,0.70,0.6', '20,entropy,2,0.60,0.5', '20,random,1,0.45,0.4'].join('\n');

describe('active-learning simulation curves', () => {
  it('parses the columns in any order, an empty figure as null', () => {
    const rows = parseSimulationCsv(CSV);
    expect(rows).toHaveLength(6);
    expect(rows[2]).toEqual({ strategy: 'entropy', labelled: 10, seed: 1, dice: 0.5, maskAP50: null });
  });

  it('says which column is missing or which line is wrong', () => {
    expect(() => parseSimulationCsv('strategy,labelled,seed,dice\nrandom,1,1,0.1')).toThrow(/lacks the column\(s\) maskAP50/);
    expect(() => parseSimulationCsv('strategy,labelled,seed,maskAP50,dice\nrandom,ten,1,0.1,0.2')).toThrow(/line 2: labelled "ten"/);
  });

  it('averages over seeds per strategy and labelled count, with random last as the baseline', () => {
    const dice = simulationCurves(parseSimulationCsv(CSV), 'dice');
    expect(dice.series.map((s) => s.label)).toEqual(['entropy', 'random']);
    const at = (labelled: number) => dice.table.rows.find((r) => r.labelled === labelled)!;
    expect(at(10)[strategyKey('random')]).toBeCloseTo(0.35, 10);
    expect(at(20)[strategyKey('entropy')]).toBeCloseTo(0.65, 10);
    const ap = simulationCurves(parseSimulationCsv(CSV), 'maskAP50');
    expect(ap.table.rows[0][strategyKey('entropy')]).toBeNull(); // its only seed at 10 has no AP
  });

  it('gives each strategy its spread over seeds, and per-class curves when the CSV has them', () => {
    const csv = ['strategy,labelled,seed,maskAP50,dice,maskAP50:C,dice:C', 'random,10,1,0.2,0.3,0.1,0.2', 'random,10,2,0.4,0.5,0.3,', 'random,20,1,0.5,0.6,0.4,0.5'].join('\n');
    const rows = parseSimulationCsv(csv);
    expect(rows[1].perClass).toEqual({ C: { maskAP50: 0.3, dice: null } });
    expect(simulationMetrics(rows).map((m) => m.key)).toEqual(['maskAP50', 'dice', 'maskAP50:C', 'dice:C']);
    const ap = simulationCurves(rows, 'maskAP50');
    expect(ap.series[0].spreadKey).toBe(spreadKey('random'));
    expect(ap.table.rows[0][spreadKey('random')]).toBeCloseTo(Math.SQRT2 * 0.1, 10); // sample std of 0.2, 0.4
    expect(ap.table.rows[1][spreadKey('random')]).toBe(0); // one seed
    const c = simulationCurves(rows, 'maskAP50:C');
    expect(c.table.rows.map((r) => r[strategyKey('random')])).toEqual([expect.closeTo(0.2, 10), expect.closeTo(0.4, 10)]);
    expect(simulationCurves(rows, 'dice:C').table.rows[0][spreadKey('random')]).toBe(0); // only seed 1 has C Dice at 10
  });

  const root = mkdtempSync(path.join(tmpdir(), 'ctms-sim-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads DATA_DIR/al-simulation/latest.csv, and answers null when no simulation has run', async () => {
    expect(await readLatestSimulation(root)).toBeNull();
    mkdirSync(path.join(root, 'al-simulation'));
    writeFileSync(path.join(root, SIMULATION_FILE), CSV);
    const latest = await readLatestSimulation(root);
    expect(latest?.rows).toHaveLength(6);
    writeFileSync(path.join(root, SIMULATION_FILE), 'nonsense\n1');
    await expect(readLatestSimulation(root)).rejects.toThrow(/latest\.csv: the simulation CSV lacks/);
  });
});
