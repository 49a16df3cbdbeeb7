import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { jobTypes } from '@/lib/jobs/handlers';
import { TableQueue } from '@/lib/jobs/queue';
import { workerLoop } from '@/lib/jobs/worker';
import { saveUploadStream, startUploadImport, uploadName, uploadStatus, type UploadStatus } from './importUpload';
import { detectLayout } from './layout';
import { buildTestZip } from './testZip';

const work = mkdtempSync(path.join(tmpdir(), 'ctms-upload-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

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

describe('startUploadImport and the import job', () => {
  let t: TestDb;
  const previousDataDir = process.env.DATA_DIR;
  const dataDir = path.join(work, 'data');
  beforeAll(async () => {
    process.env.DATA_DIR = dataDir;
    t = await createTestDb('sqlite');
  });
  afterAll(async () => {
    process.env.DATA_DIR = previousDataDir;
    await t?.cleanup();
  });
  /** Runs the worker until it has taken one job, as the worker process would. */
  const runWorker = () => workerLoop({ db: t.db, queue: new TableQueue(t.db), jobTypes: jobTypes(), signal: new AbortController().signal, pollMs: 20, maxJobs: 1 });

  it('queues the import in the worker; the job unpacks, imports slices, masks and classes, reports the corrupt file, and cleans up', async () => {
    const admin = await createTestUser(t.db, 'ADMIN', 'Admin');
    const zip = await buildTestZip({ slices: 3, corrupt: true });
    const queue = new TableQueue(t.db);
    const started = await startUploadImport(t.db, new Blob([zip]).stream(), 'test.zip', { importedById: admin.id, queue });
    expect(started).toMatchObject({ state: 'running', phase: 'queued', name: 'test.zip' });
    // While it waits for the worker, a second upload is refused and leaves nothing behind.
    await expect(startUploadImport(t.db, new Blob([zip]).stream(), 'again.zip', { importedById: admin.id, queue })).rejects.toMatchObject({ code: 'conflict' });
    expect(await t.db.study.count()).toBe(0); // the web side only received it
    await runWorker();
    const status = (await uploadStatus(t.db, started.id)) as UploadStatus;
    expect(status.state).toBe('done');
    expect(status).toMatchObject({ done: 4, total: 4, masksDir: 'masks', labelsCsv: 'labels.csv' });
    expect(status.summary).toMatchObject({ files: 4, slicesAdded: 3, labelsAdded: 3 });
    expect(status.summary!.annotationsAdded).toBeGreaterThanOrEqual(6); // a GGO and a C square per slice
    expect(status.errors).toHaveLength(1);
    expect(status.errors[0].file).toBe(path.join('images', 'broken.png'));
    const study = await t.db.study.findFirstOrThrow({ where: { source: 'upload:test.zip' }, include: { slices: true } });
    expect(study.importedById).toBe(admin.id);
    expect(study.slices.map((s) => s.sourceFile).sort()).toEqual(['images/1.png', 'images/2.png', 'images/3.png']);
    expect(readdirSync(path.join(dataDir, 'uploads'))).toEqual([]);
  });

  it('fails the job at once with the reason when the zip is a bomb, and removes the upload', async () => {
    const admin = await createTestUser(t.db, 'ADMIN', 'Admin3');
    const { zipSync } = await import('fflate');
    const bomb = zipSync({ 'a.bin': new Uint8Array(10_000) });
    // Patch the central directory's declared size down: the entry lies about how much it unpacks to.
    const view = new DataView(bomb.buffer, bomb.byteOffset, bomb.byteLength);
    let cd = bomb.length - 22;
    while (view.getUint32(cd, true) !== 0x02014b50) cd--;
    view.setUint32(cd + 24, 10, true);
    const started = await startUploadImport(t.db, new Blob([bomb]).stream(), 'bomb.zip', { importedById: admin.id, queue: new TableQueue(t.db) });
    await runWorker();
    const status = (await uploadStatus(t.db, started.id))!;
    expect(status.state).toBe('failed');
    expect(status.errors[0].message).toMatch(/a\.bin.*(declares|bomb)/);
    expect((await t.db.job.findUniqueOrThrow({ where: { id: started.id } })).attempts).toBe(1);
    expect(readdirSync(path.join(dataDir, 'uploads'))).toEqual([]);
  });

  it('refuses a non-zip and an oversized upload at once and removes the upload folder', async () => {
    const admin = await createTestUser(t.db, 'ADMIN', 'Admin2');
    const send = (text: string, maxUploadBytes?: number) => startUploadImport(t.db, new Blob([text]).stream(), 'x.zip', { importedById: admin.id, maxUploadBytes, queue: new TableQueue(t.db) });
    await expect(send('{}')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/not a zip archive/) });
    await expect(send('x'.repeat(100), 50)).rejects.toMatchObject({ code: 'too_large' });
    expect(readdirSync(path.join(dataDir, 'uploads'))).toEqual([]);
  });
});
