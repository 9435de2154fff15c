import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A problem the user can fix: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Runs a CLI's main function: known problems become one clear line on stderr
 * and a non-zero exit; anything unexpected is printed with its type but
 * without a stack trace unless LOGIN_ETL_DEBUG is set.
 */
export function runCli(name: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${name}: ${message}\n`);
      if (process.env.LOGIN_ETL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}

export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  options: T,
  args: string[] = process.argv.slice(2),
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Progress on a TTY only: one line rewritten in place; silent in logs and CI. */
export class Progress {
  readonly #tty = Boolean(process.stderr.isTTY);
  #last = 0;

  update(line: string, force = false): void {
    if (!this.#tty) return;
    const now = Date.now();
    if (!force && now - this.#last < 100) return;
    this.#last = now;
    process.stderr.write(`\r\x1b[2K${line}`);
  }

  done(): void {
    if (this.#tty) process.stderr.write('\r\x1b[2K');
  }
}
