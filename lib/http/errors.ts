/**
 * The HTTP edge of the error vocabulary (lib/errors.ts): the one place where a domain error code becomes a status.
 * Route handlers throw; the route wrapper (withRole) answers with `errorResponse`.
 */
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { DomainError, invalid, type ErrorCode } from '@/lib/errors';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  locked: 423,
  rate_limited: 429,
  upstream: 502,
};

/** The JSON answer for a domain error: `{ error, code, details? }`, with Retry-After when it says when to retry. */
export function domainErrorResponse(error: DomainError): NextResponse {
  const body = { error: error.message, code: error.code, ...(error.details === undefined ? {} : { details: error.details }) };
  const headers: Record<string, string> = {};
  if (error.retryAfterS !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterS)));
  return NextResponse.json(body, { status: HTTP_STATUS[error.code], headers });
}

/** Turns thrown values into JSON responses: DomainErrors and zod errors keep their meaning, the rest is a 500. */
export function errorResponse(error: unknown): NextResponse {
  if (error instanceof DomainError) return domainErrorResponse(error);
  if (error instanceof z.ZodError) return domainErrorResponse(invalid('Invalid input: ' + z.prettifyError(error), error.issues));
  console.error('[api] unexpected error', error);
  return NextResponse.json({ error: 'Internal server error', code: 'internal' }, { status: 500 });
}

/** Parses `input` with `schema`, throwing an `invalid` DomainError with a readable message when it does not fit. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what = 'request'): T {
  const result = schema.safeParse(input);
  if (!result.success) throw invalid(`Invalid ${what}: ${z.prettifyError(result.error)}`, result.error.issues);
  return result.data;
}
