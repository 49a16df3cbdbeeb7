/**
 * Request bodies read within a size limit. The limit is checked against Content-Length before a byte is read, and
 * counted while streaming for bodies without one (chunked), so an oversized body is answered 413 without being
 * buffered or parsed. JSON bodies must say they are JSON (a form post cannot forge one across sites).
 */
import type { z } from 'zod';
import { DomainError, invalid, tooLarge } from '@/lib/errors';
import { parseInput } from './errors';

const KiB = 1024;
/** Default for JSON requests: every JSON body of this API but an annotation save is a few hundred bytes. */
export const DEFAULT_BODY_LIMIT = 64 * KiB;

const describe = (bytes: number) => (bytes >= 1024 * KiB ? `${Math.round(bytes / (1024 * KiB))} MiB` : `${Math.round(bytes / KiB)} KiB`);

export function bodyTooLarge(limit: number): DomainError {
  return tooLarge(`The request body is larger than ${describe(limit)}`);
}

/** Refuses a declared Content-Length over `limit` (nothing read yet). */
export function checkDeclaredLength(req: Request, limit: number): void {
  const declared = req.headers.get('content-length');
  if (declared === null) return;
  const n = Number(declared);
  if (!Number.isSafeInteger(n) || n < 0) throw invalid('Content-Length is not a byte count');
  if (n > limit) throw bodyTooLarge(limit);
}

/** The body as bytes, at most `limit` of them; stops reading and throws too_large as soon as it passes the limit. */
export async function readBodyBytes(req: Request, limit: number): Promise<Uint8Array> {
  checkDeclaredLength(req, limit);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads and validates a JSON body within `limit` bytes; an empty body counts as `{}`. Malformed JSON, a body that
 * is not declared as JSON, or one that does not fit the schema is `invalid`/`unsupported_media`, never a 500.
 */
export async function readJsonBody<T>(req: Request, schema: z.ZodType<T>, what: string, limit = DEFAULT_BODY_LIMIT): Promise<T> {
  const bytes = await readBodyBytes(req, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(`Invalid ${what}: not UTF-8 text`);
  }
  let value: unknown = {};
  if (text.trim()) {
    const type = req.headers.get('content-type') ?? '';
    if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) throw new DomainError('unsupported_media', `Send the ${what} as JSON (Content-Type: application/json)`);
    try {
      value = JSON.parse(text);
    } catch {
      throw invalid(`Invalid ${what}: not valid JSON`);
    }
  }
  return parseInput(schema, value, what);
}
