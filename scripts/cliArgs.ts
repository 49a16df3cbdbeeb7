/**
 * Argument parsing shared by the model CLIs (train, eval, predict): node:util parseArgs in strict mode;
 * any bad argument prints the message and the usage and exits with code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: T, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    usageExit(usage, (err as Error).message);
  }
}

export function usageExit(usage: string, message: string): never {
  process.stderr.write(`Error: ${message}\n\n${usage}\n`);
  process.exit(2);
}

/** `value` as a number passing `check`; `expected` says what passes, in the message for one that does not. */
export function numberArg(usage: string, name: string, value: string | undefined, check: (n: number) => boolean = (n) => n > 0, expected = 'a valid positive number'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) usageExit(usage, `--${name} must be ${expected}, got "${value}"`);
  return n;
}

export function oneOf<T extends string>(usage: string, name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) usageExit(usage, `--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}
