import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TcpProxy } from '../../tools/lib/tcp-proxy.js';

/** A TCP echo server: what the proxy stands in front of. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

async function connected(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** Reads until `bytes` bytes have come back. */
function receive(socket: Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= bytes) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData).once('error', reject);
  });
}

describe('the delaying TCP proxy (the bench\'s network hop)', () => {
  const DELAY_MS = 25;
  let echo: { server: Server; port: number };
  let proxy: TcpProxy;
  before(async () => {
    echo = await echoServer();
    proxy = new TcpProxy('127.0.0.1', echo.port, DELAY_MS);
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });

  it('holds each direction back: a round trip takes at least twice the one-way delay', async () => {
    const socket = await connected(proxy.port);
    try {
      for (let i = 0; i < 5; i += 1) {
        const started = performance.now();
        const reply = receive(socket, 4);
        socket.write(Buffer.from([i, 1, 2, 3]));
        assert.deepEqual(await reply, Buffer.from([i, 1, 2, 3]));
        const ms = performance.now() - started;
        assert.ok(ms >= 2 * DELAY_MS, `round trip ${ms.toFixed(1)} ms, expected ≥ ${2 * DELAY_MS}`);
      }
    } finally {
      socket.destroy();
    }
  });

  it('passes many chunks through byte for byte, in order, delayed once rather than once per chunk', async () => {
    const socket = await connected(proxy.port);
    try {
      const parts = Array.from({ length: 200 }, (_, i) => Buffer.concat([Buffer.from([i & 0xff]), randomBytes(16 * 1024)]));
      const sent = Buffer.concat(parts);
      const started = performance.now();
      const reply = receive(socket, sent.length);
      for (const part of parts) socket.write(part);
      const echoed = await reply;
      const ms = performance.now() - started;
      assert.equal(echoed.length, sent.length);
      assert.ok(echoed.equals(sent), 'the bytes came back unchanged and in order');
      assert.ok(ms >= 2 * DELAY_MS, `${ms.toFixed(1)} ms`);
      assert.ok(ms < 200 * DELAY_MS, `chunks travel together, not one delay each after another: ${ms.toFixed(1)} ms`);
    } finally {
      socket.destroy();
    }
  });

  it('with no delay set, adds none worth measuring', async () => {
    const plain = new TcpProxy('127.0.0.1', echo.port);
    await plain.start();
    const socket = await connected(plain.port);
    try {
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const started = performance.now();
        const reply = receive(socket, 1);
        socket.write(Buffer.from([i]));
        await reply;
        times.push(performance.now() - started);
      }
      assert.ok(Math.min(...times) < DELAY_MS, `fastest round trip ${Math.min(...times).toFixed(1)} ms`);
    } finally {
      socket.destroy();
      await plain.stop();
    }
  });
});
