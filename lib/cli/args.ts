import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';

/** A CLI usage mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/**
 * Parses argv with node:util and validates the values with zod, so every CLI reports bad arguments the same
 * way: one readable line naming the option, never a stack trace.
 */
export function parseCli<T>(argv: string[], options: ParseArgsConfig['options'], schema: z.ZodType<T>, allowPositionals = true): { values: T; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) throw new UsageError(z.prettifyError(result.error));
  return { values: result.data, positionals: parsed.positionals };
}

/** Runs a CLI main function with the project's exit-code convention: 0 ok, 1 failed work, 2 bad usage. */
export function runCli(main: () => Promise<number | void>, usage: string): void {
  main()
    .then((code) => process.exit(code ?? 0))
    .catch((error) => {
      if (error instanceof UsageError) {
        console.error(`error: ${error.message}\n\n${usage}`);
        process.exit(2);
      }
      console.error(`error: ${(error as Error).message ?? error}`);
      process.exit(1);
    });
}
