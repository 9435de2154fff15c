import type { Connection, PoolClient, Submittable } from 'pg';

/** pg's Connection with the two COPY messages it sends that @types/pg does not declare. */
interface CopyConnection extends Connection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * A COPY … FROM STDIN whose data goes out with the statement: the Query,
 * the CopyData and the CopyDone in one write, instead of the data waiting
 * for the server's CopyInResponse, which costs a round trip per chunk.
 * The protocol allows it: once a COPY has failed (a row refused, or the
 * statement itself), the server drops the CopyData and CopyDone that follow
 * (PostgreSQL protocol, "COPY Operations"), so the session stays in step.
 * Hand-written because pg-copy-streams always waits for CopyInResponse
 * before it sends a byte.
 */
class CopyInOneWrite implements Submittable {
  /** Set by copyIn(), wrapped by pg with its query_timeout. */
  callback?: (error: Error | null) => void;

  constructor(
    readonly text: string,
    readonly payload: Buffer,
  ) {}

  submit(connection: Connection): void {
    const copy = connection as CopyConnection;
    copy.query(this.text);
    copy.sendCopyFromChunk(this.payload);
    copy.endCopyFrom();
  }

  /** The data is already on its way. */
  handleCopyInResponse(): void {}

  handleCommandComplete(): void {}

  /** The rows are committed and the session is ready for the next statement. */
  handleReadyForQuery(): void {
    this.callback?.(null);
  }

  /** The server refused the COPY (pg then sends no handleReadyForQuery), or the connection failed. */
  handleError(error: Error): void {
    this.callback?.(error);
  }
}

/** COPY … FROM STDIN of one payload; resolves once the server has committed every row. */
export function copyIn(client: PoolClient, sql: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const copy = new CopyInOneWrite(sql, payload);
    copy.callback = (error) => (error ? reject(error) : resolve());
    client.query(copy);
  });
}
