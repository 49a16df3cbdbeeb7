import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exists, repoRoot, sharedDataDir } from '@/lib/testing/paths';
import { checkStrategies, evenlySpaced, roundSizes } from './simulate';

const cli = (args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), path.join(repoRoot, 'scripts/al-simulate.ts'), ...args], {
    cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CTMS_TF_BACKEND: process.env.CTMS_TF_BACKEND ?? 'wasm' },
  });

describe('simulation helpers', () => {
  it('rounds grow by step and end exactly at the budget', () => {
    expect(roundSizes(10, 10, 60)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(roundSizes(8, 8, 20)).toEqual([8, 16, 20]);
    expect(roundSizes(5, 3, 5)).toEqual([5]);
    expect(() => roundSizes(10, 5, 8)).toThrow(/budget ≥ start/);
  });
  it('subsamples evenly over the whole split', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(evenlySpaced(items, 4)).toEqual([0, 2, 5, 7]);
    expect(evenlySpaced(items, 20)).toEqual(items);
    expect(evenlySpaced(items)).toEqual(items);
  });
  it('explains why the slice-class strategies cannot be simulated', () => {
    expect(checkStrategies(['random', 'segmentation', 'random'])).toEqual(['random', 'segmentation']);
    expect(() => checkStrategies(['entropy'])).toThrow(/no slice classes/);
    expect(() => checkStrategies(['bogus'])).toThrow(/Unknown strategy "bogus"/);
  });
  it('the CLI rejects entropy with exit code 2 and the reason', () => {
    const r = cli(['--data', repoRoot, '--strategies', 'random,entropy']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/"entropy" ranks by classifier S.*no slice classes/);
    expect(r.stderr).toMatch(/usage: npm run al:simulate/);
  });
});

const medseg = path.join(sharedDataDir(), 'medseg-ggo-c');
const noData = !exists(medseg);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-alsim-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe.skipIf(noData)(`npm run al:simulate on real MedSeg slices${noData ? ` (skipped: ${medseg} not found)` : ''}`, () => {
  it('writes one CSV row per round and strategy, a PNG plot, and ends with the JSON line', () => {
    const r = cli(['--data', medseg, '--strategies', 'random,segmentation', '--start', '2', '--step', '2', '--budget', '6', '--seeds', '1',
      '--round-steps', '3', '--pool-limit', '8', '--val-limit', '2', '--min-size', '96', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]);
    expect(Object.keys(result.labelsToReachRandomFinal).sort()).toEqual(['random', 'segmentation']);
    for (const v of Object.values(result.labelsToReachRandomFinal)) expect(v === null || (typeof v === 'number' && v > 0 && v <= 1)).toBe(true);
    expect(result.dataset).toMatchObject({ pool: 8, val: 2, format: 'images-masks' });
    // Round 0 is one shared training run (both strategies start from the same slices); then one run per strategy
    // and round unless both happened to pick the same slices.
    expect(result.trainings).toBeGreaterThanOrEqual(1 + 1);
    expect(result.trainings).toBeLessThanOrEqual(1 + 2 * 2);
    for (const s of ['random', 'segmentation']) expect(result.curves[s].dice.map((p: { labelled: number }) => p.labelled)).toEqual([2, 4, 6]);

    const csv = fs.readFileSync(path.join(out, 'latest.csv'), 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('strategy,labelled,seed,maskAP50,dice');
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(2 * 3);
    const first = rows.filter((row) => row[1] === '2');
    expect(first.map((row) => row[0]).sort()).toEqual(['random', 'segmentation']);
    expect(first[0].slice(3)).toEqual(first[1].slice(3)); // same initial set, same training seed → same scores
    for (const row of rows) for (const v of row.slice(3)) expect(Number(v)).toBeGreaterThanOrEqual(0);

    const stamped = fs.readdirSync(out).filter((f) => /^medseg-ggo-c-.*\.(csv|png)$/.test(f));
    expect(stamped).toHaveLength(2);
    const png = fs.readFileSync(path.join(out, 'latest.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(400); // IHDR width: two panels
  }, 120_000);
});
