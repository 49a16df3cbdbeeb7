import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PixelImage } from '@/lib/imaging/pixelStore';
import { createTestStudy } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { pixelBatches } from './pixelBatch';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-pixels-'));
const image = (seed: number): PixelImage => ({ kind: 'WINDOWED', width: 4, height: 3, pixels: Uint8Array.from({ length: 12 }, (_, i) => (i * 7 + seed) % 256) });
const exists = (rel: string) => fs.existsSync(path.join(root, rel));
const refuse = () => Promise.reject(new Error('the transaction failed'));

describe('pixel batch', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('keeps its files when the write that references them commits', async () => {
    const batch = await pixelBatches(t.db, root).store([image(1), image(2)]);
    expect(batch.files).toHaveLength(2);
    await expect(batch.commit(async () => 'written')).resolves.toBe('written');
    expect(batch.files.every((f) => exists(f.path))).toBe(true);
  });

  it('rolls back when the write fails: the files it created are gone, and the error goes on', async () => {
    const batch = await pixelBatches(t.db, root).store([image(3), image(4)]);
    expect(batch.files.every((f) => exists(f.path))).toBe(true);
    await expect(batch.commit(refuse)).rejects.toThrow('the transaction failed');
    expect(batch.files.some((f) => exists(f.path))).toBe(false);
  });

  it('never deletes a file another batch in flight holds, or a slice references', async () => {
    const batches = pixelBatches(t.db, root);
    // the unit read ahead stored the same content: its batch still needs the file
    const failing = await batches.store([image(5)]);
    const ahead = await batches.store([image(5)]);
    await expect(failing.commit(refuse)).rejects.toThrow();
    expect(exists(ahead.files[0].path)).toBe(true);
    await ahead.commit(async () => undefined);
    expect(exists(ahead.files[0].path)).toBe(true);

    // a slice already references the content this batch created (a row written meanwhile by another import)
    const referenced = await batches.store([image(6)]);
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    await t.db.slice.update({ where: { id: sliceIds[0] }, data: { pixelPath: referenced.files[0].path } });
    await expect(referenced.commit(refuse)).rejects.toThrow();
    expect(exists(referenced.files[0].path)).toBe(true);
  });

  it('rolls back only once, and not at all after a commit', async () => {
    const batches = pixelBatches(t.db, root);
    const done = await batches.store([image(7)]);
    await done.commit(async () => undefined);
    await done.rollback();
    expect(exists(done.files[0].path)).toBe(true);
    const failed = await batches.store([image(8)]);
    await failed.rollback();
    await failed.rollback();
    expect(exists(failed.files[0].path)).toBe(false);
  });
});
