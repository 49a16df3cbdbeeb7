import path from 'node:path';

/**
 * A file that cannot be imported, with a message a user can act on. `file` is the path as given;
 * the message always starts with the file name so a log line alone says which file failed.
 */
export class ImportError extends Error {
  readonly file: string;
  /** The bare reason, without the file prefix (for summaries that print the file separately). */
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`${path.basename(file)}: ${reason}`, options);
    this.name = 'ImportError';
    this.file = file;
    this.reason = reason;
  }
}

/** Wraps any error thrown while reading `file` into an ImportError (keeps ImportErrors as they are). */
export function asImportError(file: string, err: unknown, what: string): ImportError {
  if (err instanceof ImportError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ImportError(file, `${what}: ${detail}`, { cause: err });
}
