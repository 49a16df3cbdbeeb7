import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@/lib/db/client';
import { greyPng, palettePng } from '@/lib/testing/ctFixtures';

const root = path.resolve(__dirname, '..');
let work: string;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'ctms-import-cli-'));
  await fs.mkdir(path.join(work, 'imgs'));
  await fs.mkdir(path.join(work, 'masks'));
  const block = new Uint8Array(100);
  for (let y = 2; y < 8; y++) for (let x = 2; x < 8; x++) block[y * 10 + x] = 1;
  await fs.writeFile(path.join(work, 'imgs', 'a.png'), greyPng(10, 10, new Uint8Array(100).map((_, i) => i)));
  await fs.writeFile(path.join(work, 'masks', 'a.png'), palettePng(10, 10, block));
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

function runImport(args: string[], name: string) {
  const env = { ...process.env, DATABASE_URL: `file:${path.join(work, `${name}.db`)}`, DATA_DIR: path.join(work, `${name}-data`) };
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/import.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, url: env.DATABASE_URL };
}

describe('npm run import', () => {
  it('exits 2 with the usage for bad arguments', () => {
    const noPath = runImport([], 'bad');
    expect(noPath.code).toBe(2);
    expect(noPath.stderr).toMatch(/a <path> to import is required[\s\S]*usage: npm run import/);
    const badStudy = runImport([path.join(work, 'imgs'), '--study-from', 'patient'], 'bad');
    expect(badStudy.code).toBe(2);
    expect(badStudy.stderr).toMatch(/--study-from must be folder or file/);
    const badWindow = runImport([path.join(work, 'imgs'), '--window', '0,40'], 'bad');
    expect(badWindow.code).toBe(2);
    expect(badWindow.stderr).toMatch(/--window: .*width must be ≥ 1/);
    expect(runImport([path.join(work, 'imgs'), '--masks', path.join(work, 'nope')], 'bad').stderr).toMatch(/--masks: no such folder/);
  });

  it('imports, prints a summary, and a second run adds nothing (exit 0)', async () => {
    const first = runImport([path.join(work, 'imgs'), '--masks', path.join(work, 'masks')], 'ok');
    expect(first.stderr).not.toMatch(/error/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/imported 1 slice\(s\) into 1 study .*; 0 already present; 1 polygon\(s\); 0 slice label\(s\); 1 file\(s\), 0 failed/);
    const second = runImport([path.join(work, 'imgs'), '--masks', path.join(work, 'masks')], 'ok');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/imported 0 slice\(s\) .*; 1 already present; 0 polygon/);
    const db = createDb(first.url);
    try {
      expect(await db.annotation.count({ where: { source: 'IMPORTED', status: 'ACCEPTED' } })).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });

  it('names each failed file and exits 1 when any failed', async () => {
    await fs.mkdir(path.join(work, 'mixed'));
    await fs.copyFile(path.join(work, 'imgs', 'a.png'), path.join(work, 'mixed', 'good.png'));
    await fs.writeFile(path.join(work, 'mixed', 'broken.nii'), 'not a volume');
    const r = runImport([path.join(work, 'mixed')], 'fail');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${path.join(work, 'mixed', 'broken.nii')}: not a NIfTI file`);
    expect(r.stdout).toMatch(/imported 1 slice\(s\).* 2 file\(s\), 1 failed/);
  });
});
