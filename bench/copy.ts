import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyLine } from '../lambda/db/copy-text.js';
import type { WriteValue } from '../lambda/db/write-spec.js';

const CHUNK_BYTES = 64 * 1024;

/**
 * Rows → COPY text-format payload, in chunks of about 64 KB. Done before the
 * clock starts: the ceiling measures what the server can take, not how fast
 * JavaScript can format text.
 */
export function encodeCopy(rows: readonly (readonly WriteValue[])[]): Buffer[] {
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let size = 0;
  for (const row of rows) {
    const line = copyLine(row);
    lines.push(line);
    size += line.length;
    if (size >= CHUNK_BYTES) {
      chunks.push(Buffer.from(lines.join(''), 'utf8'));
      lines = [];
      size = 0;
    }
  }
  if (lines.length > 0) chunks.push(Buffer.from(lines.join(''), 'utf8'));
  return chunks;
}

/** `sql` (a COPY … FROM STDIN) with pre-encoded chunks (see {@link encodeCopy}) on a pg client, through pg-copy-streams. */
export async function copyIn(client: ClientBase, sql: string, chunks: readonly Buffer[]): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(sql)));
}
