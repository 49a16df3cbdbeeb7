/**
 * Bad input from a DICOMweb server while importing (a stand-in server that misbehaves on purpose): each series fails
 * on its own with the reason, nothing of it reaches the database or the pixel store, and a later run imports it
 * once the server answers properly.
 */
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDicomWebJob } from '@/lib/jobs/handlers/importDicomWeb';
import { createJobQueue } from '@/lib/jobs/queue';
import { workerLoop } from '@/lib/jobs/worker';
import { syntheticCtSeries } from '@/lib/testing/ctSeries';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { startDicomWebImport } from './importJobs';
import { importSeriesFromServer, type SeriesRef } from './importSeries';
import { createServer, serverEndpoint } from './servers';

type Mode = 'ok' | 'truncated' | 'html' | 'stall';

describe('importing from a misbehaving DICOMweb server', () => {
  let t: TestDb;
  let http1: http.Server;
  let mode: Mode = 'ok';
  let serverId: string;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-dicomweb-bad-'));
  const saved = { DATA_DIR: process.env.DATA_DIR, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET };
  const series = syntheticCtSeries({ slices: 3, size: 32, studyUid: '2.25.51000', seriesUid: '2.25.51001' });
  const REF: SeriesRef = { studyInstanceUid: '2.25.51000', seriesInstanceUid: '2.25.51001', label: 'chest' };
  const open = new Set<http.ServerResponse>();

  beforeAll(async () => {
    process.env.DATA_DIR = path.join(work, 'data');
    process.env.NEXTAUTH_SECRET = 'bad-server-test-secret';
    t = await createTestDb('sqlite');
    http1 = http.createServer((_req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      if (mode === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>Please log in</html>');
      }
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=B' });
      const parts = series.map((s) => Buffer.concat([Buffer.from('--B\r\nContent-Type: application/dicom\r\n\r\n'), s.bytes, Buffer.from('\r\n')]));
      const body = Buffer.concat([...parts, Buffer.from('--B--\r\n')]);
      if (mode === 'ok') return res.end(body);
      // Two whole instances and half of the third, then: the connection ends (truncated) or goes silent (stall).
      const cut = parts[0].length + parts[1].length + Math.floor(parts[2].length / 2);
      if (mode === 'truncated') return res.end(body.subarray(0, cut));
      res.write(body.subarray(0, cut));
    });
    await new Promise<void>((r) => http1.listen(0, '127.0.0.1', r));
    const port = (http1.address() as net.AddressInfo).port;
    serverId = (await createServer(t.db, { name: 'flaky', baseUrl: `http://127.0.0.1:${port}/dicom-web`, timeoutS: 1 })).id;
  });
  afterAll(async () => {
    for (const res of open) res.destroy();
    await new Promise((r) => http1.close(r));
    await t?.cleanup();
    Object.assign(process.env, saved);
    fs.rmSync(work, { recursive: true, force: true });
  });

  const pixelFiles = () => (fs.existsSync(path.join(work, 'data', 'pixels')) ? fs.readdirSync(path.join(work, 'data', 'pixels'), { recursive: true }).filter((f) => String(f).endsWith('.gz')) : []);
  const importOnce = async () => importSeriesFromServer(t.db, await serverEndpoint(t.db, serverId), [REF], { workDir: path.join(work, 'scratch') });

  it.each<[Mode, RegExp]>([
    ['truncated', /multipart body is truncated or malformed after 2 instances/],
    ['html', /HTML page instead of DICOMweb/],
    ['stall', /sent nothing for 1 s \(server slow or stalled\)/],
  ])('%s answer: the series fails with its reason and nothing of it is kept', async (m, reason) => {
    mode = m;
    const [outcome] = await importOnce();
    expect(outcome.state).toBe('failed');
    expect(outcome.state === 'failed' && outcome.reason).toMatch(reason);
    expect(await t.db.study.count()).toBe(0);
    expect(await t.db.slice.count()).toBe(0);
    expect(pixelFiles()).toEqual([]);
    expect(fs.readdirSync(path.join(work, 'scratch'))).toEqual([]);
  });

  it('a job whose server failed transiently goes back to the queue, and the next run imports the series whole', async () => {
    mode = 'truncated';
    const queue = createJobQueue(t.db, t.url);
    const job = await startDicomWebImport(t.db, { serverId, series: [REF] }, null, queue);
    const run = () => workerLoop({ db: t.db, queue, jobTypes: { 'import-dicomweb': importDicomWebJob }, signal: new AbortController().signal, maxJobs: 1, pollMs: 20, workerId: 'w' });
    await run();
    let row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.status).toBe('QUEUED'); // transient: retried automatically
    expect(row.error).toMatch(/truncated/);
    expect(await t.db.slice.count()).toBe(0);
    mode = 'ok';
    await t.db.job.update({ where: { id: job.id }, data: { runAfter: new Date() } }); // skip the retry back-off
    await run();
    row = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.status).toBe('SUCCEEDED');
    expect(await t.db.slice.count()).toBe(3);
    expect(pixelFiles()).toHaveLength(3);
  });
});
