/**
 * The one error vocabulary of the domain. Code in lib/ throws a DomainError with a code that says what went wrong
 * in domain terms (not found, conflict, invalid, …) and a message a person can act on; only the HTTP edge
 * (lib/http/errors.ts) turns codes into statuses, and CLIs print the message. Errors that are not DomainErrors are
 * bugs or infrastructure failures and never reach a user verbatim.
 */
export const ERROR_CODES = [
  /** The input breaks a rule (bad polygon, unknown class, malformed body). */
  'invalid',
  /** Nobody is signed in (or the session was revoked). */
  'unauthenticated',
  /** The caller may not do this (role, slice state). */
  'forbidden',
  'not_found',
  /** The state changed under the caller (stale version, a job already running, a duplicate). */
  'conflict',
  /** Someone else holds the slice's lease. */
  'locked',
  'too_large',
  'rate_limited',
  'unsupported_media',
  'method_not_allowed',
  /** Another server the app talks to (a PACS) failed or answered something unusable; the message says what. */
  'upstream',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Machine-readable detail for the client (the current state on a conflict, the list of problems, …). */
    readonly details?: unknown,
    /** For rate_limited: seconds until a retry can succeed. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (message: string, details?: unknown) => new DomainError('invalid', message, details);
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new DomainError('conflict', message, details);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const tooLarge = (message: string) => new DomainError('too_large', message);

export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
