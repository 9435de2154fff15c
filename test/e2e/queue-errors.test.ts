import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testEnv } from '../support/keys.js';
import { repoRoot, runTool, type ToolRun } from '../support/run-tool.js';
import { startSqsEmulator, type SqsEmulator } from '../support/sqs-emulator.js';

const samplesFile = path.join(repoRoot, 'test', 'fixtures', 'login-messages.jsonl');

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** Answers every call as SQS answers a request signed with an unknown access key. */
async function rejectingSqs(): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': 'InvalidClientTokenId;Sender',
        'x-amzn-requestid': 'e2e',
      });
      res.end(JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

/** One clear line on stderr, a non-zero exit, no stack trace. */
function assertOneLineError(run: ToolRun, tool: string, pattern: RegExp, code = 1): void {
  assert.equal(run.code, code, `${tool} exit code (stderr: ${run.stderr})`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0] ?? '', new RegExp(`^${tool}: ${pattern.source}`));
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
}

describe('queue tools fail with one clear line', () => {
  let sqs: SqsEmulator;
  let rejecting: { endpoint: string; server: Server };
  // No database is reached: every failure below happens before one is needed.
  const env = testEnv('postgres://unused:unused@127.0.0.1:1/unused');

  before(async () => {
    [sqs, rejecting] = await Promise.all([startSqsEmulator(), rejectingSqs()]);
  });
  after(async () => {
    rejecting.server.close();
    await sqs.stop();
  });

  it('on an unreachable endpoint', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/000000000000/login-queue`;
    const [send, consume] = await Promise.all([
      runTool('send', [samplesFile, '--queue-url', url], env),
      runTool('consume', ['--queue-url', url, '--drain'], env),
    ]);
    assertOneLineError(send, 'send', /cannot reach SQS at http:\/\/127\.0\.0\.1:\d+: connection refused/);
    assertOneLineError(consume, 'consume', /cannot reach SQS at http:\/\/127\.0\.0\.1:\d+: connection refused/);
  });

  it('on a queue that does not exist', async () => {
    const url = `${sqs.endpoint}/000000000000/no-such-queue`;
    const [consume, redrive] = await Promise.all([
      runTool('consume', ['--queue-url', url, '--endpoint', sqs.endpoint, '--drain'], env),
      runTool('redrive', ['--to', url, '--endpoint', sqs.endpoint], env),
    ]);
    assertOneLineError(consume, 'consume', /queue \S+no-such-queue does not exist at http:\/\/127\.0\.0\.1:\d+/);
    assertOneLineError(redrive, 'redrive', /queue \S+no-such-queue does not exist/);
  });

  it('on rejected credentials', async () => {
    const url = `${rejecting.endpoint}/123456789012/login-queue`;
    const run = await runTool('send', [samplesFile, '--queue-url', url], { ...env, AWS_ACCESS_KEY_ID: 'AKIAWRONG', AWS_SECRET_ACCESS_KEY: 'wrong' });
    assertOneLineError(run, 'send', /SQS at http:\/\/127\.0\.0\.1:\d+ rejected the credentials \((InvalidClientTokenId|UnrecognizedClientException)\)/);
  });

  it('on settings the event source mapping would refuse', async () => {
    const run = await runTool('consume', ['--batch-size', '100'], env);
    assertOneLineError(run, 'consume', /--batch-size 100 needs --window of at least 1 s/, 2);
  });
});
