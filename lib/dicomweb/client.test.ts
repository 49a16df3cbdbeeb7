/**
 * The DICOMweb client against a local stand-in server that misbehaves on purpose: each failure a PACS can show
 * (down, slow, an HTML page, a truncated multipart body, credentials refused, a server that cannot transcode) must
 * come back as a DicomWebError whose message says which, never as a partial result.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomWebClient, DicomWebError, type DicomWebAuth } from './client';
import { studyQuery, seriesSearchSchema } from './search';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('DicomWebClient', () => {
  let server: http.Server;
  let base: string;
  let handler: Handler = (_req, res) => res.end();
  const seen: http.IncomingHttpHeaders[] = [];
  const pending = new Set<http.ServerResponse>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      pending.add(res);
      res.on('close', () => pending.delete(res));
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/dicom-web`;
  });
  afterAll(async () => {
    for (const res of pending) res.destroy();
    await new Promise((r) => server.close(r));
  });

  const client = (auth: DicomWebAuth = { type: 'none' }, timeoutMs = 2_000) => new DicomWebClient({ baseUrl: base, auth, timeoutMs });
  const multipart = (boundary: string, parts: Buffer[], close = true) =>
    Buffer.concat([...parts.flatMap((p) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), p, Buffer.from('\r\n')]), Buffer.from(close ? `--${boundary}--\r\n` : '')]);

  it('sends basic and bearer credentials and parses DICOM JSON', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dicom+json' });
      res.end(JSON.stringify([{ '0020000D': { vr: 'UI', Value: ['1.2.3'] } }]));
    };
    expect(await client({ type: 'basic', username: 'u', password: 'p w' }).search('studies', { PatientID: 'X' })).toEqual([{ '0020000D': { vr: 'UI', Value: ['1.2.3'] } }]);
    expect(seen.at(-1)!.authorization).toBe(`Basic ${Buffer.from('u:p w').toString('base64')}`);
    await client({ type: 'bearer', token: 'tok-123' }).search('studies', {});
    expect(seen.at(-1)!.authorization).toBe('Bearer tok-123');
  });

  it('streams the instances of a multipart answer in order', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary="bnd42"' });
      res.end(multipart('bnd42', [Buffer.from('first'), Buffer.from('second\r\n--not-a-boundary')]));
    };
    const got: string[] = [];
    const n = await client().retrieveSeries('1.2', '1.2.3', async (b) => void got.push(Buffer.from(b).toString()));
    expect(n).toBe(2);
    expect(got).toEqual(['first', 'second\r\n--not-a-boundary']);
    expect(seen.at(-1)!.accept).toContain('transfer-syntax=1.2.840.10008.1.2.1');
  });

  it('fails a truncated multipart body (no closing boundary) instead of returning the parts it got', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=cut' });
      res.end(Buffer.concat([multipart('cut', [Buffer.from('one')], false), Buffer.from('--cut\r\nContent-Type: application/dicom\r\n\r\nhalf an insta')]));
    };
    const err = await client().retrieveSeries('1.2', '1.2.3', async () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DicomWebError);
    expect((err as DicomWebError).message).toMatch(/truncated or malformed after 1 instances/);
  });

  it('names an HTML page for what it is', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>Welcome to the viewer</body></html>');
    };
    await expect(client().search('studies', {})).rejects.toThrow(/HTML page instead of DICOMweb/);
    await expect(client().retrieveSeries('1', '2', async () => undefined)).rejects.toThrow(/HTML page instead of DICOMweb/);
  });

  it('fails a stalled server after the idle timeout, and says so', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=slow' });
      res.write('--slow\r\nContent-Type: application/dicom\r\n\r\nabc'); // then nothing more
    };
    const started = Date.now();
    const err = (await client({ type: 'none' }, 300).retrieveSeries('1', '2', async () => undefined).catch((e: unknown) => e)) as DicomWebError;
    expect(err).toBeInstanceOf(DicomWebError);
    expect(err.message).toMatch(/sent nothing for 0.3 s \(server slow or stalled\)/);
    expect(err.transient).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('says when the server is down', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const down = new DicomWebClient({ baseUrl: `http://127.0.0.1:${closed}/dicom-web`, auth: { type: 'none' }, timeoutMs: 2_000 });
    const err = (await down.search('studies', {}).catch((e: unknown) => e)) as DicomWebError;
    expect(err.message).toMatch(/connection refused/);
    expect(err.transient).toBe(true);
  });

  it('maps refused credentials and missing resources to permanent errors', async () => {
    handler = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' });
      res.end();
    };
    const err = (await client().search('studies', {}).catch((e: unknown) => e)) as DicomWebError;
    expect(err.message).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(err.transient).toBe(false);
  });

  it('asks again for the stored transfer syntax when the server cannot transcode', async () => {
    handler = (req, res) => {
      if (String(req.headers.accept).includes('transfer-syntax=*')) {
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=ts' });
        res.end(multipart('ts', [Buffer.from('jpeg2000-instance')]));
      } else {
        res.writeHead(500);
        res.end('Cannot transcode image');
      }
    };
    const got: string[] = [];
    expect(await client().retrieveSeries('1', '2', async (b) => void got.push(Buffer.from(b).toString()))).toBe(1);
    expect(got).toEqual(['jpeg2000-instance']);
  });

  it('builds QIDO matching keys from the search form', () => {
    const q = studyQuery(seriesSearchSchema.parse({ patientName: 'doe', dateFrom: '2024-01-01', dateTo: '2024-12-31', modality: 'ct', studyDescription: 'chest*' }));
    expect(q).toMatchObject({ PatientName: '*doe*', StudyDate: '20240101-20241231', ModalitiesInStudy: 'CT', StudyDescription: '*chest*', limit: '50' });
    expect(() => seriesSearchSchema.parse({ dateFrom: '15/03/2024' })).toThrow(/YYYY-MM-DD/);
  });
});
