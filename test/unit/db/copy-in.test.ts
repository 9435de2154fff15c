import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PoolClient } from 'pg';
import { copyIn } from '../../../lambda/db/copy-in.js';

/** A client that submits a query to a connection noting what is sent, and lets the test answer as the server. */
function fakeClient(sent: string[]) {
  let active: { handleCopyInResponse(): void; handleReadyForQuery(): void; handleError(e: Error): void } | undefined;
  const connection = {
    query: (text: string) => sent.push(`query ${text}`),
    sendCopyFromChunk: (chunk: Buffer) => sent.push(`data ${chunk.toString()}`),
    endCopyFrom: () => sent.push('done'),
  };
  const client = {
    query(submittable: { submit(c: unknown): void }) {
      active = submittable as unknown as typeof active;
      submittable.submit(connection);
      return submittable;
    },
  } as unknown as PoolClient;
  return { client, server: () => active ?? assert.fail('nothing submitted') };
}

describe('copyIn', () => {
  it('sends the statement, its data and the end of the data at once, before the server has answered', async () => {
    const sent: string[] = [];
    const { client, server } = fakeClient(sent);
    const copied = copyIn(client, 'COPY t (a) FROM STDIN', Buffer.from('1\n'));
    assert.deepEqual(sent, ['query COPY t (a) FROM STDIN', 'data 1\n', 'done']);
    server().handleCopyInResponse();
    assert.equal(sent.length, 3, 'nothing more once the server is ready for the data');
    server().handleReadyForQuery();
    await copied;
  });

  it("rejects with the server's error", async () => {
    const { client, server } = fakeClient([]);
    const copied = copyIn(client, 'COPY t (a) FROM STDIN', Buffer.from('x\n'));
    const refused = Object.assign(new Error('refused'), { code: '22P02' });
    server().handleError(refused);
    await assert.rejects(copied, refused);
  });
});
