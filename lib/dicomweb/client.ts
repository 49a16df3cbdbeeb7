/**
 * A DICOMweb client for the three services the app uses (PS3.18): QIDO-RS search (DICOM JSON), WADO-RS retrieve
 * of a series (multipart/related of application/dicom parts, streamed), STOW-RS store (multipart/related upload).
 *
 * Every failure becomes a DicomWebError whose message says what went wrong in words an admin can act on (server
 * down, credentials refused, an HTML page where DICOMweb was expected, a body cut short, no data for too long), and
 * whether trying again later may help (`transient`).
 */
import { DomainError } from '@/lib/errors';
import { randomUUID } from 'node:crypto';
import { MultipartParseError, parseMultipartStream } from '@remix-run/multipart-parser';

export type DicomWebAuth = { type: 'none' } | { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

export interface DicomWebEndpoint {
  /** The DICOMweb root, e.g. http://localhost:8042/dicom-web (a trailing slash is ignored). */
  baseUrl: string;
  auth: DicomWebAuth;
  /** A request fails when the server sends nothing (headers or body bytes) for this long. */
  timeoutMs: number;
}

/** One DICOM JSON dataset (PS3.18 F.2): tag → { vr, Value }. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[] } | undefined>;

/** What the remote server did wrong, in words an admin can act on (the `upstream` code of the vocabulary). */
export class DicomWebError extends DomainError {
  constructor(
    message: string,
    /** True when the same request may succeed later (server down, slow, cut off, 5xx). */
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super('upstream', `DICOMweb server: ${message}`);
    this.name = 'DicomWebError';
  }
}

/** What WADO-RS asks for first: the one transfer syntax every server must send and the app decodes. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const MAX_INSTANCE_BYTES = 2 * 1024 ** 3;

export class DicomWebClient {
  private readonly root: string;
  constructor(private readonly endpoint: DicomWebEndpoint) {
    this.root = endpoint.baseUrl.replace(/\/+$/, '');
  }

  /** QIDO-RS: `path` below the root (e.g. `studies`, `studies/{uid}/series`) with matching keys. */
  async search(path: string, params: Record<string, string | string[] | undefined>, signal?: AbortSignal): Promise<DicomJson[]> {
    const url = new URL(`${this.root}/${path}`);
    for (const [k, v] of Object.entries(params)) for (const one of [v ?? []].flat()) if (one !== '') url.searchParams.append(k, one);
    return this.withResponse(url, { headers: { accept: 'application/dicom+json' } }, signal, async (res, idle) => {
      if (res.status === 204) return [];
      expectContentType(res, url, ['application/dicom+json', 'application/json']);
      const text = await idle.text(res);
      try {
        const body = JSON.parse(text) as unknown;
        if (!Array.isArray(body)) throw new Error('not an array');
        return body as DicomJson[];
      } catch (err) {
        throw new DicomWebError(`${describe(url)} answered with invalid DICOM JSON (${(err as Error).message})`, false);
      }
    });
  }

  /**
   * WADO-RS: the instances of one series, handed to `onInstance` one by one as they arrive (part 10 bytes). Asks for
   * explicit VR little endian; a server that cannot transcode (406, or 500 as Orthanc answers) is asked again for the
   * stored transfer syntax, so the importer can name it. Resolves to the number of instances; rejects when the body
   * is cut short, so a caller never takes a partial series for a whole one.
   */
  async retrieveSeries(studyUid: string, seriesUid: string, onInstance: (bytes: Uint8Array, index: number) => Promise<void>, signal?: AbortSignal): Promise<number> {
    const url = new URL(`${this.root}/studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}`);
    const accept = (ts: string) => ({ accept: `multipart/related; type="application/dicom"; transfer-syntax=${ts}` });
    const receive = (res: Response, idle: IdleTimer) => this.readInstances(url, res, idle, onInstance);
    try {
      return await this.withResponse(url, { headers: accept(EXPLICIT_VR_LITTLE_ENDIAN) }, signal, receive);
    } catch (err) {
      if (!(err instanceof DicomWebError) || (err.status !== 406 && err.status !== 500)) throw err;
      return this.withResponse(url, { headers: accept('*') }, signal, receive).catch((second: unknown) => {
        throw second instanceof DicomWebError && second.status ? err : second;
      });
    }
  }

  /** STOW-RS: stores part 10 objects (into `studyUid` when given); returns the server's DICOM JSON response. */
  async store(objects: Uint8Array[], studyUid?: string, signal?: AbortSignal): Promise<DicomJson | null> {
    const url = new URL(`${this.root}/studies${studyUid ? `/${encodeURIComponent(studyUid)}` : ''}`);
    const boundary = `ctms-${randomUUID()}`;
    const parts: Uint8Array[] = [];
    for (const o of objects) parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), o, Buffer.from('\r\n'));
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const init: RequestInit = {
      method: 'POST',
      headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' },
      body: Buffer.concat(parts),
    };
    return this.withResponse(url, init, signal, async (res, idle) => {
      const text = await idle.text(res);
      if (!text.trim()) return null;
      try {
        return JSON.parse(text) as DicomJson;
      } catch {
        return null; // a STOW answer in XML (application/dicom+xml) is still a success by its status
      }
    });
  }

  private async readInstances(url: URL, res: Response, idle: IdleTimer, onInstance: (bytes: Uint8Array, index: number) => Promise<void>): Promise<number> {
    const type = res.headers.get('content-type') ?? '';
    if (!/^multipart\/related/i.test(type)) {
      expectContentType(res, url, ['multipart/related']);
    }
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (!boundary) throw new DicomWebError(`${describe(url)} sent a multipart answer without a boundary`, false);
    if (!res.body) throw new DicomWebError(`${describe(url)} sent no body`, true);
    let count = 0;
    try {
      for await (const part of parseMultipartStream(idle.watch(res.body), { boundary, maxFileSize: MAX_INSTANCE_BYTES, maxParts: 100_000, maxTotalSize: Number.MAX_SAFE_INTEGER })) {
        const partType = part.mediaType ?? '';
        if (partType && partType.toLowerCase() !== 'application/dicom') {
          throw new DicomWebError(`${describe(url)} sent a ${partType} part where application/dicom was asked for`, false);
        }
        await onInstance(part.bytes, count++);
      }
    } catch (err) {
      if (err instanceof MultipartParseError) {
        throw new DicomWebError(`${describe(url)}: the multipart body is truncated or malformed after ${count} instances (${err.message}); nothing of this series was kept`, true);
      }
      throw idle.reason(err);
    }
    return count;
  }

  /** Sends the request with auth and the idle timeout, maps HTTP and network failures, then lets `read` take the body. */
  private async withResponse<T>(url: URL, init: RequestInit, signal: AbortSignal | undefined, read: (res: Response, idle: IdleTimer) => Promise<T>): Promise<T> {
    const idle = new IdleTimer(this.endpoint.timeoutMs, url, signal);
    try {
      let res: Response;
      try {
        res = await fetch(url, { ...init, headers: { ...authHeader(this.endpoint.auth), ...(init.headers as Record<string, string>) }, signal: idle.signal, redirect: 'follow' });
      } catch (err) {
        throw idle.reason(err, networkError(url, err));
      }
      idle.touch();
      if (!res.ok) throw await httpError(url, res);
      return await read(res, idle);
    } catch (err) {
      throw idle.reason(err);
    } finally {
      idle.stop();
    }
  }
}

/**
 * Aborts the request when nothing arrives for `ms` (so a large series may take as long as it needs while data
 * flows, but a stalled server fails in bounded time), and when the caller's signal aborts (job cancelled).
 */
class IdleTimer {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  readonly signal: AbortSignal;

  constructor(private readonly ms: number, private readonly url: URL, outer?: AbortSignal) {
    this.signal = outer ? AbortSignal.any([this.controller.signal, outer]) : this.controller.signal;
    this.touch();
  }
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }
  stop(): void {
    clearTimeout(this.timer);
  }
  /** The stream, with every chunk resetting the timer. */
  watch(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform: (chunk, c) => { this.touch(); c.enqueue(chunk); } }));
  }
  async text(res: Response): Promise<string> {
    if (!res.body) return '';
    const chunks: Uint8Array[] = [];
    const reader = this.watch(res.body).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    return Buffer.concat(chunks).toString('utf8');
  }
  /** What an error really was: a timeout or a cancel shows up as a bare AbortError. */
  reason(err: unknown, otherwise?: DicomWebError): unknown {
    if (this.timedOut) return new DicomWebError(`${describe(this.url)} sent nothing for ${+(this.ms / 1000).toFixed(1)} s (server slow or stalled); try again, or raise the server's timeout`, true);
    if (this.signal.aborted && !(err instanceof DicomWebError)) return this.signal.reason ?? err;
    return err instanceof DicomWebError ? err : (otherwise ?? err);
  }
}

function authHeader(auth: DicomWebAuth): Record<string, string> {
  if (auth.type === 'basic') return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return {};
}

/** The URL without credentials or query, for messages. */
function describe(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function networkError(url: URL, err: unknown): DicomWebError {
  const code = (err as { cause?: { code?: string } })?.cause?.code;
  if (code === 'ECONNREFUSED') return new DicomWebError(`cannot connect to ${url.origin}: connection refused (is the server running, and is the address right?)`, true);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new DicomWebError(`cannot resolve the host of ${url.origin} (${code})`, code === 'EAI_AGAIN');
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return new DicomWebError(`${url.origin} closed the connection (${code})`, true);
  const detail = (err as { cause?: { message?: string } })?.cause?.message ?? (err as Error)?.message ?? String(err);
  return new DicomWebError(`cannot reach ${url.origin}: ${detail}`, true);
}

async function httpError(url: URL, res: Response): Promise<DicomWebError> {
  const body = await res.text().catch(() => '');
  const detail = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  const suffix = detail ? `: ${detail}` : '';
  if (res.status === 401 || res.status === 403) return new DicomWebError(`${describe(url)} refused the credentials (HTTP ${res.status}); check the server's user name and password or token`, false, res.status);
  if (res.status === 404) return new DicomWebError(`${describe(url)} not found (HTTP 404); check that the address is the DICOMweb root (e.g. …/dicom-web) and that the study and series still exist`, false, 404);
  const transient = res.status >= 500 || res.status === 429 || res.status === 408;
  return new DicomWebError(`${describe(url)} answered HTTP ${res.status} ${res.statusText}${suffix}`, transient, res.status);
}

function expectContentType(res: Response, url: URL, wanted: string[]): void {
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (wanted.includes(type)) return;
  if (type === 'text/html') {
    throw new DicomWebError(`${describe(url)} answered with an HTML page instead of DICOMweb; is the address the server's DICOMweb root (e.g. …/dicom-web), not its web viewer or a login page?`, false);
  }
  throw new DicomWebError(`${describe(url)} answered with ${type || 'no content type'} where ${wanted.join(' or ')} was expected`, false);
}
