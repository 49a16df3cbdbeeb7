import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { detectLayout, saveUploadStream, startUploadImport, uploadName, uploadStatus, type UploadStatus } from './importUpload';
import { buildTestZip } from './testZip';

const work = mkdtempSync(path.join(tmpdir(), 'ctms-upload-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function finished(id: string): Promise<UploadStatus> {
  for (let i = 0; i < 600; i++) {
    const s = uploadStatus(id)!;
    if (s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the import did not finish in 30 s');
}

describe('upload helpers', () => {
  it('keeps only a safe base name of the uploaded file', () => {
    expect(uploadName('C:\\Users\\me\\scans (1).zip')).toBe('scans (1).zip');
    expect(uploadName('../../x;rm -rf.zip')).toBe('x_rm -rf.zip');
    expect(uploadName('')).toBe('upload.zip');
  });

  it('streams a body to disk and refuses one over the limit, leaving nothing behind', async () => {
    const file = path.join(work, 'stream', 'a.zip');
    const body = (bytes: number) => new Blob([new Uint8Array(bytes)]).stream();
    expect(await saveUploadStream(body(1000), file, 1000)).toBe(1000);
    await expect(saveUploadStream(body(1001), file, 1000)).rejects.toThrow(/larger than/);
    expect(existsSync(file)).toBe(false);
    await expect(saveUploadStream(null, file, 10)).rejects.toThrow(expect.objectContaining({ code: 'invalid' }));
  });

  it('finds the shallowest masks folder and prefers labels.csv over other CSVs', async () => {
    const root = path.join(work, 'layout');
    await mkdir(path.join(root, 'study/masks'), { recursive: true });
    await mkdir(path.join(root, 'masks'), { recursive: true });
    await writeFile(path.join(root, 'a-notes.csv'), '');
    await writeFile(path.join(root, 'study/labels.csv'), '');
    expect(await detectLayout(root)).toEqual({ masksDir: path.join(root, 'masks'), labelsCsv: path.join(root, 'study/labels.csv') });
  });
});

describe('startUploadImport', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => t?.cleanup());

  it('imports slices, masks and classes from a zip, reports the corrupt file, and cleans up the unpacked files', async () => {
    const admin = await createTestUser(t.db, 'ADMIN', 'Admin');
    const dataDir = path.join(work, 'data');
    const zip = await buildTestZip({ slices: 3, corrupt: true });
    // Two uploads at once: the second is refused while the first is still being received.
    const [first, second] = await Promise.allSettled([
      startUploadImport(t.db, new Blob([zip]).stream(), 'test.zip', { importedById: admin.id, dataDir }),
      startUploadImport(t.db, new Blob([zip]).stream(), 'again.zip', { importedById: admin.id, dataDir }),
    ]);
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'conflict' } });
    const started = (first as PromiseFulfilledResult<UploadStatus>).value;
    expect(started).toMatchObject({ state: 'running', masksDir: 'masks', labelsCsv: 'labels.csv' });
    const status = await finished(started.id);
    expect(status.state).toBe('done');
    expect(status).toMatchObject({ done: 4, total: 4 });
    expect(status.summary).toMatchObject({ files: 4, slicesAdded: 3, labelsAdded: 3 });
    expect(status.summary!.annotationsAdded).toBeGreaterThanOrEqual(6); // a GGO and a C square per slice
    expect(status.errors).toHaveLength(1);
    expect(status.errors[0].file).toBe(path.join('images', 'broken.png'));
    const study = await t.db.study.findFirstOrThrow({ where: { source: 'upload:test.zip' }, include: { slices: true } });
    expect(study.importedById).toBe(admin.id);
    expect(study.slices.map((s) => s.sourceFile).sort()).toEqual(['images/1.png', 'images/2.png', 'images/3.png']);
    expect(readdirSync(path.join(dataDir, 'uploads'))).toEqual([]);
  });

  it('refuses a non-zip with an UploadError and removes the upload folder', async () => {
    const dataDir = path.join(work, 'data2');
    const admin = await createTestUser(t.db, 'ADMIN', 'Admin2');
    const send = (text: string, maxUploadBytes?: number) => startUploadImport(t.db, new Blob([text]).stream(), 'x.zip', { importedById: admin.id, dataDir, maxUploadBytes });
    await expect(send('{}')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/not a zip archive/) });
    await expect(send('x'.repeat(100), 50)).rejects.toMatchObject({ code: 'too_large' });
    expect(readdirSync(path.join(dataDir, 'uploads'))).toEqual([]);
  });
});
