import { NextResponse } from 'next/server';
import { z } from 'zod';

/** An error a user can act on, carried to the HTTP edge with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, message, details);
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const conflict = (message: string, details?: unknown) => new HttpError(409, message, details);

export function jsonError(status: number, message: string, details?: unknown): NextResponse {
  return NextResponse.json(details === undefined ? { error: message } : { error: message, details }, { status });
}

/** Turns thrown values into JSON responses: HttpError and zod errors keep their meaning, the rest is a 500. */
export function errorResponse(error: unknown): NextResponse {
  if (error instanceof HttpError) return jsonError(error.status, error.message, error.details);
  if (error instanceof z.ZodError) {
    return jsonError(400, 'Invalid input: ' + z.prettifyError(error), error.issues);
  }
  console.error('[api] unexpected error', error);
  return jsonError(500, 'Internal server error');
}

/** Parses `input` with `schema`, throwing a 400 with a readable message when it does not fit. */
export function parseOr400<T>(schema: z.ZodType<T>, input: unknown, what = 'request'): T {
  const result = schema.safeParse(input);
  if (!result.success) throw badRequest(`Invalid ${what}: ${z.prettifyError(result.error)}`, result.error.issues);
  return result.data;
}

/** Reads and validates a JSON body; an empty body counts as `{}`; malformed JSON is a 400, never a 500. */
export async function parseJsonBody<T>(req: Request, schema: z.ZodType<T>, what = 'request body'): Promise<T> {
  const text = await req.text();
  let value: unknown = {};
  if (text.trim()) {
    try {
      value = JSON.parse(text);
    } catch {
      throw badRequest(`Invalid ${what}: not valid JSON`);
    }
  }
  return parseOr400(schema, value, what);
}
