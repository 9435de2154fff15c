import { readFile } from 'node:fs/promises';

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
  // A main that never settles (a dependency that drops a promise) must not
  // look like success.
  const unsettled = () => {
    process.stderr.write(`${name}: stopped before finishing (an operation never completed)\n`);
    process.exit(70);
  };
  process.once('beforeExit', unsettled);
  main().then(
    (code) => finish(code ?? 0),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${name}: ${message}\n`);
      if (process.env.LOGIN_ETL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      finish(error instanceof UsageError ? 2 : 1);
    },
  );
  function finish(code: number): void {
    process.removeListener('beforeExit', unsettled);
    // Explicit: stdout/stderr are synchronous for files and pipes on Linux,
    // and nothing left in the event loop (an idle socket) can hold the exit.
    process.exit(code);
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

/** Reads a file the user named on the command line; a missing or unreadable one is a UsageError naming it. */
export async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read'}`);
  }
}
