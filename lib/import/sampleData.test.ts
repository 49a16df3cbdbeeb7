import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { ensureSampleData, PHANTOM_COUNTS } from './sampleData';

describe('quick-start sample data', () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ctms-sample-'));
  const previous = { DATA_DIR: process.env.DATA_DIR, SAMPLE_DATA: process.env.SAMPLE_DATA };
  beforeAll(async () => {
    process.env.DATA_DIR = path.join(work, 'data');
    delete process.env.SAMPLE_DATA;
    t = await createTestDb('sqlite');
  });
  afterAll(async () => {
    Object.assign(process.env, previous);
    if (previous.SAMPLE_DATA === undefined) delete process.env.SAMPLE_DATA;
    await t?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('generates phantom slices when no data is beside the checkout, some labelled and some for the queue, once', async () => {
    const root = path.join(work, 'checkout');
    mkdirSync(root);
    const result = await ensureSampleData(t.db, { root });
    expect(result?.source).toBe('generated phantoms');
    expect(result?.errors).toEqual([]);
    expect(await t.db.slice.count()).toBe(PHANTOM_COUNTS.labelled + PHANTOM_COUNTS.queue);
    expect(await t.db.slice.count({ where: { status: 'ACCEPTED' } })).toBe(PHANTOM_COUNTS.labelled);
    // enough unlabelled slices for the browser tests, which each take their own
    expect(await t.db.slice.count({ where: { status: 'UNLABELLED' } })).toBeGreaterThanOrEqual(8);
    expect(await t.db.annotation.groupBy({ by: ['lesionClass'], _count: true })).toHaveLength(2);
    expect(await ensureSampleData(t.db, { root })).toBeNull();
  });

  it('refuses a SAMPLE_DATA folder that does not exist, with its name', async () => {
    const empty = await createTestDb('sqlite');
    process.env.SAMPLE_DATA = 'no/such/folder';
    try {
      await expect(ensureSampleData(empty.db, { root: work })).rejects.toThrow(/SAMPLE_DATA=no\/such\/folder/);
    } finally {
      delete process.env.SAMPLE_DATA;
      await empty.cleanup();
    }
  });
});
