import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * One direction of a connection held back by `delayMs`: each chunk is due
 * `delayMs` after it arrived and leaves, in arrival order, when a timer for
 * the oldest due chunk fires. A constant delay keeps due times in arrival
 * order, so one queue and one timer per direction keep the byte stream intact.
 */
function delayedPipe(from: Socket, to: Socket, delayMs: number): void {
  const queue: { due: number; chunk: Buffer }[] = [];
  let ended = false;
  let paused = false;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0] as { due: number }).due <= now) {
      const { chunk } = queue.shift() as { chunk: Buffer };
      // Backpressure: stop reading while the receiving side's buffer is full.
      if (!to.write(chunk) && !paused) {
        paused = true;
        from.pause();
        to.once('drain', () => {
          paused = false;
          from.resume();
        });
      }
    }
    if (queue.length > 0) schedule();
    else if (ended) to.end();
  };
  const schedule = (): void => {
    if (timer === undefined && queue.length > 0) {
      timer = setTimeout(flush, Math.max(0, (queue[0] as { due: number }).due - performance.now()));
    }
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ due: performance.now() + delayMs, chunk });
    schedule();
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0 && timer === undefined) to.end();
  });
  from.on('close', () => clearTimeout(timer));
}

/**
 * A loopback TCP proxy in front of a Postgres (or any TCP server). Tests cut
 * and restore it: "the database is down" without stopping a server other test
 * files share. The bench gives it a delay per direction: a network hop (half
 * the round trip each way) between the handler and Postgres on one machine.
 * Hand-written (about 80 lines) because toxiproxy needs a binary download this
 * machine cannot make.
 */
export class TcpProxy {
  #server?: Server;
  readonly #sockets = new Set<Socket>();
  port = 0;

  /** `delayMs`: held back in each direction, so a round trip through the proxy takes at least twice that. */
  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
    readonly delayMs = 0,
  ) {}

  async start(port = 0): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.setNoDelay(true);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      if (this.delayMs > 0) {
        delayedPipe(client, upstream, this.delayMs);
        delayedPipe(upstream, client, this.delayMs);
      } else {
        client.pipe(upstream).pipe(client);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#server = server;
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this.port;
  }

  /** Refuse new connections and reset the open ones. */
  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listen again on the same port. */
  async restart(): Promise<void> {
    await this.start(this.port);
  }

  /** URL of `databaseUrl` rerouted through this proxy. */
  url(databaseUrl: string): string {
    const u = new URL(databaseUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }
}
