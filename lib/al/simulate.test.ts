import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from '@/lib/model/config';
import { readModelDir, saveSegmenter } from '@/lib/model/io';
import { MaskRcnn } from '@/lib/model/maskRcnn';
import { createRng } from '@/lib/model/random';
import { useTestBackend } from '@/lib/model/train/testBackend';
import { greyPng, palettePng } from '@/lib/testing/ctFixtures';
import { exists, repoRoot, sharedDataDir } from '@/lib/testing/paths';
import { checkBaseUnseen, checkStrategies, classPixels, collectRounds, evenlySpaced, roundSizes, simulateActiveLearning, type RoundRecord } from './simulate';

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
  it('counts labelled lesion pixels per class (merged data as the first class)', () => {
    const labels = Uint8Array.from([0, 1, 1, 2, 0, 2]);
    expect(classPixels([{ labels, mode: 'classes' }], ['GGO', 'C'])).toEqual({ GGO: 2, C: 2 });
    expect(classPixels([{ labels: Uint8Array.from([1, 1, 0]), mode: 'merged' }], ['GGO', 'C'])).toEqual({ GGO: 2, C: 0 });
  });
  it('explains why the slice-class strategies cannot be simulated', () => {
    expect(checkStrategies(['random', 'segmentation', 'random'])).toEqual(['random', 'segmentation']);
    expect(() => checkStrategies(['entropy'])).toThrow(/no slice classes/);
    expect(() => checkStrategies(['bogus'])).toThrow(/Unknown strategy "bogus"/);
  });
  it('the CLI rejects entropy with exit code 2 and the reason', () => {
    const r = cli(['--data', repoRoot, '--base', 'none', '--strategies', 'random,entropy']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/"entropy" ranks by classifier S.*no slice classes/);
    expect(r.stderr).toMatch(/usage: npm run al:simulate/);
  });
});

/** A MedSeg-style folder of generated slices (images/N.png + masks/N.png): 8 pool, 2 val. */
function generatedFolder(dir: string, n = 10, size = 48): string {
  fs.mkdirSync(path.join(dir, 'images'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'masks'), { recursive: true });
  for (let k = 0; k < n; k++) {
    const rng = createRng(k + 1);
    const pixels = new Uint8Array(size * size).fill(50);
    const labels = new Uint8Array(size * size);
    const cx = 10 + rng.next() * 28, cy = 10 + rng.next() * 28, r = 4 + rng.next() * 5, label = k % 3 === 0 ? 2 : 1;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) { pixels[y * size + x] = label === 2 ? 230 : 140; labels[y * size + x] = label; }
    fs.writeFileSync(path.join(dir, 'images', `${k}.png`), greyPng(size, size, pixels));
    fs.writeFileSync(path.join(dir, 'masks', `${k}.png`), palettePng(size, size, labels));
  }
  return dir;
}

describe('simulation replaying the product on generated slices', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-alsim-gen-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const data = generatedFolder(path.join(root, 'gen'));
  const options = (stateDir: string, base: string | null) => ({
    data, base, strategies: ['random' as const, 'epistemic' as const, 'coreset' as const], start: 2, step: 2, budget: 6, seeds: [1],
    roundSteps: 2, stateDir,
  });

  it('fine-tunes each round from the previous round\'s weights (the base at round 0), by checksum', async () => {
    await useTestBackend();
    const baseDir = path.join(root, 'base');
    const base = new MaskRcnn(makeSegmenterConfig('tiny', 'both', { transform: { minSize: 48, maxSize: 48 } }), 5);
    const baseSum = saveSegmenter(baseDir, base, { data: { classes: { dir: 'medseg-ggo-c', count: 32 } } });
    base.dispose();
    const seen: RoundRecord[] = [];
    const result = await simulateActiveLearning({ ...options(path.join(root, 'chain'), baseDir), onRound: (r) => seen.push(r) });
    expect(result.rows).toHaveLength(3 * 3);
    for (const strategy of ['random', 'epistemic', 'coreset']) {
      const chain = seen.filter((r) => r.strategy === strategy).sort((a, b) => a.round - b.round);
      expect(chain.map((r) => r.labelled)).toEqual([2, 4, 6]);
      expect(chain[0].startChecksum).toBe(baseSum);
      for (let k = 1; k < chain.length; k++) {
        expect(chain[k].startChecksum).toBe(chain[k - 1].checksum);
        expect(chain[k].labelledSet).toEqual([...chain[k - 1].labelledSet, ...chain[k - 1].pickedSet]);
      }
      // the saved round model is the one the record names
      expect(readModelDir(path.join(root, 'chain', 'seed-1', strategy, 'round-2')).manifest.sha256).toBe(chain[2].checksum);
    }
    // round 0 is one shared run: same weights for every strategy
    expect(new Set(seen.filter((r) => r.round === 0).map((r) => r.checksum)).size).toBe(1);
    expect(result.trainings).toBe(1 + 3 * 2);
    expect(Object.keys(result.curves.random.byClass ?? {}).sort()).toEqual(['C', 'GGO']);
  }, 300_000);

  it('resumes an interrupted simulation from its last finished round', async () => {
    await useTestBackend();
    const stateDir = path.join(root, 'resume');
    const ctrl = new AbortController();
    let finished = 0;
    await expect(simulateActiveLearning({ ...options(stateDir, null), strategies: ['random', 'epistemic'], signal: ctrl.signal, onRound: () => { if (++finished === 3) ctrl.abort(); } })).rejects.toThrow(/cancelled/);
    const before = collectRounds(stateDir);
    expect(before.length).toBe(3); // round 0 for both strategies, round 1 of the first
    const again = await simulateActiveLearning({ ...options(stateDir, null), strategies: ['random', 'epistemic'] });
    expect(again.trainings).toBe(2 * 2 - 1); // only the rounds that had not finished
    const after = collectRounds(stateDir);
    expect(after).toHaveLength(6);
    for (const r of before) expect(after.find((a) => a.strategy === r.strategy && a.round === r.round)!.checksum).toBe(r.checksum);
  }, 300_000);

  it('refuses a base model that was trained on the pool', () => {
    const manifest = (data: object) => ({ dir: 'models/x', config: {}, weights: new Float32Array(), manifest: { training: { data } } }) as unknown as Parameters<typeof checkBaseUnseen>[0];
    expect(() => checkBaseUnseen(manifest({ merged: { dir: 'zenodo-lesion-256', count: 600 } }), 'zenodo-lesion-256')).toThrow(/--without zenodo/);
    expect(() => checkBaseUnseen(manifest({ merged: { dir: 'zenodo-lesion-256', count: 0 }, classes: { dir: 'medseg-ggo-c', count: 32 } }), 'zenodo-lesion-256')).not.toThrow();
    expect(() => checkBaseUnseen(manifest({ heldOut: { dir: 'medseg-ggo-c' } }), 'medseg-ggo-c')).not.toThrow();
  });
});

const medseg = path.join(sharedDataDir(), 'medseg-ggo-c');
const noData = !exists(medseg);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-alsim-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe.skipIf(noData)(`npm run al:simulate on real MedSeg slices${noData ? ` (skipped: ${medseg} not found)` : ''}`, () => {
  it('writes one CSV row per round and strategy, a PNG plot, and ends with the JSON line', () => {
    const r = cli(['--data', medseg, '--base', 'none', '--strategies', 'random,segmentation', '--start', '2', '--step', '2', '--budget', '6', '--seeds', '1',
      '--round-steps', '3', '--pool-limit', '8', '--val-limit', '2', '--min-size', '96', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]);
    expect(Object.keys(result.labelsToReachRandomFinal).sort()).toEqual(['random', 'segmentation']);
    for (const v of Object.values(result.labelsToReachRandomFinal)) expect(v === null || (typeof v === 'number' && v > 0 && v <= 1)).toBe(true);
    expect(result.dataset).toMatchObject({ pool: 8, val: 2, format: 'images-masks' });
    for (const s of ['random', 'segmentation']) expect(result.curves[s].dice.map((p: { labelled: number }) => p.labelled)).toEqual([2, 4, 6]);

    const csv = fs.readFileSync(path.join(out, 'latest.csv'), 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('strategy,labelled,seed,maskAP50,dice,maskAP50:GGO,dice:GGO,maskAP50:C,dice:C');
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(2 * 3);
    const first = rows.filter((row) => row[1] === '2');
    expect(first.map((row) => row[0]).sort()).toEqual(['random', 'segmentation']);
    expect(first[0].slice(3)).toEqual(first[1].slice(3)); // same initial set, same training seed → same scores
    for (const row of rows) for (const v of row.slice(3)) if (v !== '') expect(Number(v)).toBeGreaterThanOrEqual(0);

    const stamped = fs.readdirSync(out).filter((f) => /^medseg-ggo-c-.*\.(csv|png)$/.test(f));
    expect(stamped).toHaveLength(2);
    const png = fs.readFileSync(path.join(out, 'latest.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(400); // IHDR width: two panels
  }, 120_000);
});
