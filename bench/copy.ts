import pg from 'pg';
import type { ClientBase } from 'pg';

/** One COPY text-format field: text as is (escaped), bytes as \x hex, null as \N. */
export type CopyValue = string | number | Buffer | Date | null;

/** The two frontend messages COPY FROM STDIN needs; pg's Connection has both. */
interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const CHUNK_BYTES = 64 * 1024;

function field(value: CopyValue): string {
  if (value === null) return '\\N';
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * Rows → COPY text-format payload, in chunks of about 64 KB. Done before the
 * clock starts: the ceiling measures what the server can take, not how fast
 * JavaScript can format text.
 */
export function encodeCopy(rows: readonly (readonly CopyValue[])[]): Buffer[] {
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let size = 0;
  for (const row of rows) {
    const line = `${row.map(field).join('\t')}\n`;
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

/**
 * COPY … FROM STDIN through a plain pg client: a Query whose copy-in handler
 * streams the pre-encoded chunks (pg-copy-streams does the same; this is the
 * 20 lines of it the bench needs, without another dependency).
 */
class CopyIn extends pg.Query {
  readonly #chunks: readonly Buffer[];

  constructor(text: string, chunks: readonly Buffer[], callback: (error: Error | undefined) => void) {
    super(text, (error: Error | undefined) => callback(error));
    this.#chunks = chunks;
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (const chunk of this.#chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }
}

export function copyIn(client: ClientBase, table: string, columns: readonly string[], chunks: readonly Buffer[]): Promise<void> {
  const text = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
  return new Promise((resolve, reject) => {
    client.query(new CopyIn(text, chunks, (error) => (error ? reject(error) : resolve())));
  });
}
