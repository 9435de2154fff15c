import { readInputFile, UsageError } from '../cli.js';

export interface MessageLine {
  /** 1-based line number in the file, for error reports that must not quote the body. */
  line: number;
  body: string;
}

/** A JSON-lines file as message bodies, one per non-empty line, sent as they are (even invalid JSON). */
export async function readMessageFile(file: string): Promise<MessageLine[]> {
  const text = await readInputFile(file);
  const lines = text.split('\n').flatMap((raw, i) => {
    const body = raw.replace(/\r$/, '');
    return body.trim().length > 0 ? [{ line: i + 1, body }] : [];
  });
  if (lines.length === 0) throw new UsageError(`${file}: no messages (expected one message body per line)`);
  return lines;
}
