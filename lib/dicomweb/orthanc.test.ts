/**
 * Against a real PACS (Orthanc with its DICOMweb plugin, started here on a free port with a throw-away folder and
 * basic auth): search, import as a job through the worker, idempotent re-runs and resume, per-series failures,
 * DICOM-SEG and NIfTI exports read back with independent readers, and STOW-RS of the SEG back to Orthanc.
 * Skipped with a message without Orthanc, unless REQUIRE_ORTHANC=1 (CI).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelMapToPolygons, DEFAULT_CONTOUR_OPTIONS } from '@/lib/imaging/contours';
import { readPixels } from '@/lib/imaging/pixelStore';
import { collectStudyVolumes } from '@/lib/export/studyVolume';
import { writeExport } from '@/lib/export/write';
import { importDicomWebJob } from '@/lib/jobs/handlers/importDicomWeb';
import { createJobQueue, type JobQueue } from '@/lib/jobs/queue';
import { workerLoop } from '@/lib/jobs/worker';
import { syntheticCtSeries, type SyntheticInstance } from '@/lib/testing/ctSeries';
import { labelStudy, segDice } from '@/lib/testing/exportChecks';
import { createTestUser } from '@/lib/testing/fixtures';
import { independentReaders, readSegWithPydicom } from '@/lib/testing/independentReaders';
import { haveMedseg, medsegAsSeries } from '@/lib/testing/medseg';
import { orthancAvailability, startOrthanc, type RunningOrthanc } from '@/lib/testing/orthanc';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { DicomWebClient } from './client';
import { resumeDicomWebImport, startDicomWebImport } from './importJobs';
import type { SeriesRef } from './importSeries';
import { searchSeries, seriesSearchSchema } from './search';
import { createServer, listServers, serverEndpoint } from './servers';
import { stowStudy } from './stow';

const orthanc = orthancAvailability();
const readers = independentReaders();

describe.skipIf(!orthanc.available)('DICOMweb against a real Orthanc', () => {
  let pacs: RunningOrthanc;
  let t: TestDb;
  let queue: JobQueue;
  let adminId: string;
  let serverId: string;
  let chest: SyntheticInstance[];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ctms-dicomweb-'));
  const saved = { DATA_DIR: process.env.DATA_DIR, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET };
  const CHEST: SeriesRef = { studyInstanceUid: '2.25.41000', seriesInstanceUid: '2.25.41001', label: 'AXIAL LUNG 2.5' };
  const J2K: SeriesRef = { studyInstanceUid: '2.25.42000', seriesInstanceUid: '2.25.42001', label: 'compressed' };

  beforeAll(async () => {
    process.env.DATA_DIR = path.join(work, 'data');
    process.env.NEXTAUTH_SECRET = 'dicomweb-test-secret';
    pacs = await startOrthanc();
    t = await createTestDb('sqlite');
    queue = createJobQueue(t.db, t.url);
    await queue.start();
    adminId = (await createTestUser(t.db, 'ADMIN')).id;
    chest = syntheticCtSeries({ slices: 6, size: 96, studyUid: CHEST.studyInstanceUid, seriesUid: CHEST.seriesInstanceUid, patientId: 'PAT-A', patientName: 'DOE^JANE', studyDate: '20240315' });
    // Uploaded in shuffled order: the importer orders by ImagePositionPatient, not by arrival or InstanceNumber.
    await pacs.upload([3, 0, 5, 1, 4, 2].map((k) => chest[k].bytes));
    await pacs.upload(syntheticCtSeries({ slices: 3, size: 32, studyUid: J2K.studyInstanceUid, seriesUid: J2K.seriesInstanceUid, patientId: 'PAT-B', patientName: 'ROE^RICHARD', studyDate: '20230601', studyDescription: 'ABDOMEN', seriesDescription: 'J2K', transferSyntax: '1.2.840.10008.1.2.4.90' }).map((s) => s.bytes));
    serverId = (await createServer(t.db, { name: 'test-orthanc', baseUrl: `${pacs.dicomWeb}/`, auth: { type: 'basic', username: pacs.username, password: pacs.password }, timeoutS: 20 }, adminId)).id;
  });
  afterAll(async () => {
    await queue?.stop();
    await t?.cleanup();
    await pacs?.stop();
    Object.assign(process.env, saved);
    fs.rmSync(work, { recursive: true, force: true });
  });

  const runJob = async (jobId: string) => {
    await workerLoop({ db: t.db, queue, jobTypes: { 'import-dicomweb': importDicomWebJob }, signal: new AbortController().signal, maxJobs: 1, pollMs: 20, workerId: 'test-worker' });
    return t.db.job.findUniqueOrThrow({ where: { id: jobId } });
  };

  it('keeps credentials sealed: the stored row and the listing never hold the password', async () => {
    const row = await t.db.dicomWebServer.findUniqueOrThrow({ where: { id: serverId } });
    expect(row.credentials).toBeTruthy();
    expect(row.credentials).not.toContain(pacs.password);
    expect(row.baseUrl).toBe(pacs.dicomWeb);
    const [listed] = await listServers(t.db);
    expect(listed).toMatchObject({ name: 'test-orthanc', authType: 'basic', hasCredentials: true });
    expect(JSON.stringify(listed)).not.toContain(pacs.password);
    expect((await serverEndpoint(t.db, serverId)).auth).toEqual({ type: 'basic', username: pacs.username, password: pacs.password });
  });

  it('finds series by patient, name, date range, modality and description', async () => {
    const client = new DicomWebClient(await serverEndpoint(t.db, serverId));
    const find = async (f: object) => (await searchSeries(client, seriesSearchSchema.parse(f))).map((s) => s.seriesInstanceUid).sort();
    expect(await find({})).toEqual([CHEST.seriesInstanceUid, J2K.seriesInstanceUid]);
    expect(await find({ patientId: 'PAT-A' })).toEqual([CHEST.seriesInstanceUid]);
    expect(await find({ patientName: 'roe' })).toEqual([J2K.seriesInstanceUid]);
    expect(await find({ dateFrom: '2024-01-01', dateTo: '2024-12-31' })).toEqual([CHEST.seriesInstanceUid]);
    expect(await find({ modality: 'MR' })).toEqual([]);
    expect(await find({ modality: 'CT', studyDescription: 'abdo' })).toEqual([J2K.seriesInstanceUid]);
    expect(await find({ seriesDescription: 'lung' })).toEqual([CHEST.seriesInstanceUid]);
    const [found] = await searchSeries(client, seriesSearchSchema.parse({ patientId: 'PAT-A' }));
    expect(found).toMatchObject({ patientName: 'DOE^JANE', studyDate: '2024-03-15', studyDescription: 'CHEST CT', seriesDescription: 'AXIAL LUNG 2.5', modality: 'CT', instances: 6 });
  });

  it('imports chosen series as a job: the decodable one whole and in order, the compressed one refused with its reason', async () => {
    const job = await startDicomWebImport(t.db, { serverId, series: [CHEST, J2K] }, adminId, queue);
    const done = await runJob(job.id);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatch(/1 of 2 series could not be imported/);
    expect(done.log).toMatch(/series 2\.25\.41001 \(AXIAL LUNG 2\.5\): imported, 6 slices added/);
    expect(done.log).toMatch(/series 2\.25\.42001 \(compressed\): FAILED: 3 of 3 instances could not be imported: unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90/);
    expect((done.progress as { step: number; totalSteps: number }).step).toBe(2);
    // Nothing of the compressed series; the chest series exactly as sent.
    const studies = await t.db.study.findMany({ include: { slices: { orderBy: { index: 'asc' } } } });
    expect(studies.map((s) => s.scanKey)).toEqual([CHEST.seriesInstanceUid]);
    const [study] = studies;
    expect(study.source).toBe(`dicomweb:${serverId}`);
    expect(study.patientId).toBe('PAT-A');
    expect(study.importedById).toBe(adminId);
    const meta = study.importMeta as Record<string, unknown>;
    expect(meta).toMatchObject({ pixelSpacing: [0.8, 0.7], sliceThickness: 2.5, orderedBy: 'position', rescale: { slope: 1, intercept: -1024 } });
    for (const [k, slice] of study.slices.entries()) expect(Array.from((await readPixels(slice.pixelPath)).pixels)).toEqual(Array.from(chest[k].hu));
    // The scratch downloads are gone.
    expect(fs.existsSync(path.join(process.env.DATA_DIR!, 'jobs', job.id, 'dicomweb', CHEST.seriesInstanceUid))).toBe(false);
  });

  it('resumes: a new run skips the imported series without downloading it and retries only the failed one', async () => {
    const failed = await t.db.job.findFirstOrThrow({ where: { type: 'import-dicomweb', status: 'FAILED' } });
    const resumed = await resumeDicomWebImport(t.db, failed.id, adminId, queue);
    const done = await runJob(resumed.id);
    expect(done.log).toMatch(/series 2\.25\.41001 \(AXIAL LUNG 2\.5\): already imported from this server .*; skipped/);
    expect(done.log).toMatch(/series 2\.25\.42001 \(compressed\): FAILED/);
    expect(await t.db.slice.count()).toBe(6);
    await expect(resumeDicomWebImport(t.db, failed.id.replace(/.$/, 'x'), adminId, queue)).rejects.toThrow(/no DICOMweb import job/);
  });

  it('fails with a clear message when the server refuses the credentials', async () => {
    const wrong = await createServer(t.db, { name: 'wrong-password', baseUrl: pacs.dicomWeb, auth: { type: 'basic', username: pacs.username, password: 'nope' } });
    const job = await startDicomWebImport(t.db, { serverId: wrong.id, series: [CHEST] }, adminId, queue);
    const done = await runJob(job.id);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatch(/refused the credentials \(HTTP 401\)/);
  });

  it('exports the imported study as a DICOM-SEG that pydicom reads back (Dice ≥ 0.99), and STOW-RS stores it in Orthanc', async (ctx) => {
    if (!readers.available) ctx.skip();
    const study = await t.db.study.findFirstOrThrow({ where: { scanKey: CHEST.seriesInstanceUid } });
    await labelStudy(t.db, study.id);
    const out = path.join(work, 'seg');
    const written = await writeExport(t.db, 'dicom-seg', out, { status: 'accepted', studyId: study.id });
    const seg = readSegWithPydicom(path.join(out, written.files[0]));
    const [volume] = await collectStudyVolumes(t.db, { status: 'accepted', studyId: study.id });
    const dice = segDice(seg, volume);
    console.log(`Orthanc series → app → DICOM-SEG (pydicom): Dice GGO ${dice.perClass[0].pooled.toFixed(4)}, C ${dice.perClass[1].pooled.toFixed(4)}`);
    for (const c of dice.perClass) expect(Math.min(c.pooled, c.meanOverSlices)).toBeGreaterThanOrEqual(0.99);

    const stored = await stowStudy(t.db, volume);
    expect(stored.ok, JSON.stringify(stored)).toBe(true);
    // Orthanc now files a SEG series in the same study, and serves it back byte for byte decodable by pydicom.
    const client = new DicomWebClient(await serverEndpoint(t.db, serverId));
    const segSeries = (await searchSeries(client, seriesSearchSchema.parse({ modality: 'SEG' }))).filter((s) => s.studyInstanceUid === CHEST.studyInstanceUid);
    expect(segSeries).toHaveLength(1);
    const back: Uint8Array[] = [];
    await client.retrieveSeries(CHEST.studyInstanceUid, segSeries[0].seriesInstanceUid, async (b) => void back.push(b));
    expect(back).toHaveLength(1);
    fs.writeFileSync(path.join(work, 'from-orthanc.seg.dcm'), back[0]);
    const fromPacs = readSegWithPydicom(path.join(work, 'from-orthanc.seg.dcm'));
    const again = segDice(fromPacs, volume);
    for (const c of again.perClass) expect(c.pooled).toBeGreaterThanOrEqual(0.99);
  });

  it.skipIf(!haveMedseg)('round-trips real MedSeg lesions: CT series in Orthanc → import → labels → DICOM-SEG (Dice ≥ 0.99)', async (ctx) => {
    if (!readers.available) ctx.skip();
    const REAL: SeriesRef = { studyInstanceUid: '2.25.43000', seriesInstanceUid: '2.25.43001', label: 'medseg' };
    const { hu, labels } = await medsegAsSeries(8, 192);
    await pacs.upload(syntheticCtSeries({ slices: 8, size: 192, studyUid: REAL.studyInstanceUid, seriesUid: REAL.seriesInstanceUid, patientId: 'PAT-MEDSEG', huOf: (k) => hu[k] }).map((s) => s.bytes));
    const done = await runJob((await startDicomWebImport(t.db, { serverId, series: [REAL] }, adminId, queue)).id);
    expect(done.status, done.log).toBe('SUCCEEDED');
    const study = await t.db.study.findFirstOrThrow({ where: { scanKey: REAL.seriesInstanceUid } });
    // The real masks, as polygons the way the importer makes them (the app's own contours).
    await labelStudy(t.db, study.id, (k, size) => labelMapToPolygons(labels[k], size, size, { 1: 'GGO', 2: 'C' }, DEFAULT_CONTOUR_OPTIONS));
    const out = path.join(work, 'seg-medseg');
    const written = await writeExport(t.db, 'dicom-seg', out, { status: 'accepted', studyId: study.id });
    const [volume] = await collectStudyVolumes(t.db, { status: 'accepted', studyId: study.id });
    const dice = segDice(readSegWithPydicom(path.join(out, written.files[0])), volume);
    console.log(`real MedSeg lesions via Orthanc → DICOM-SEG (pydicom): Dice GGO ${dice.perClass[0].pooled.toFixed(4)}, C ${dice.perClass[1].pooled.toFixed(4)}`);
    for (const c of dice.perClass) expect(Math.min(c.pooled, c.meanOverSlices)).toBeGreaterThanOrEqual(0.99);
  });
});
