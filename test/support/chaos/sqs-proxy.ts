import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An HTTP proxy in front of the SQS emulator, given to the consumer as its
 * --endpoint. It sees every call (the SDK speaks the JSON protocol: the
 * action is in X-Amz-Target, the request and the reply are JSON) and can:
 * - hold DeleteMessageBatch calls, so the consumer can be killed after its
 *   database commit and before its delete reaches SQS;
 * - swallow the delete of every Nth message (answer "deleted" without telling
 *   SQS), so that message is delivered again, as SQS's at-least-once delivery
 *   sometimes does;
 * - fail chosen actions with HTTP 500 InternalError for a while.
 * It also counts, per message id, how often SQS handed the message out.
 */

interface HeldRequest {
  res: ServerResponse;
  entries: number;
}

interface ReceiveReply {
  Messages?: { MessageId?: string; ReceiptHandle?: string }[];
}

interface DeleteBatchRequest {
  QueueUrl?: string;
  Entries?: { Id: string; ReceiptHandle: string }[];
}

interface DeleteBatchReply {
  Successful?: { Id: string }[];
  Failed?: unknown[];
}

export interface SqsProxyStats {
  /** How many times SQS handed each message out (to any consumer). */
  receives: Map<string, number>;
  /** Message ids whose delete reached SQS. */
  deleted: Set<string>;
  /** Message ids whose first delete was swallowed (they come back). */
  swallowed: Set<string>;
  /** Calls answered with an injected HTTP 500. */
  failedCalls: number;
  /** Delete entries held and then thrown away with a killed consumer. */
  droppedDeletes: number;
}

export class SqsChaosProxy {
  #server?: Server;
  readonly #sockets = new Set<Socket>();
  readonly #target: URL;
  /** receipt handle → message id, from ReceiveMessage replies. */
  readonly #handles = new Map<string, string>();
  #swallowEvery = 0;
  #deleteEntriesSeen = 0;
  #failing?: { actions: Set<string>; until: number };
  #holding = false;
  #held: HeldRequest[] = [];
  #onHeld?: () => void;
  endpoint = '';
  readonly stats: SqsProxyStats = {
    receives: new Map(),
    deleted: new Set(),
    swallowed: new Set(),
    failedCalls: 0,
    droppedDeletes: 0,
  };

  constructor(emulatorEndpoint: string) {
    this.#target = new URL(emulatorEndpoint);
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.#handle(req, res, Buffer.concat(chunks)).catch(() => res.destroy()));
      req.on('error', () => res.destroy());
    });
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    // Long polls and held calls may wait a while.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    const address = server.address();
    this.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    this.dropHeld();
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** From now on, the delete of every `n`th message (first delete only) is answered but not forwarded. */
  swallowDeleteEvery(n: number): void {
    this.#swallowEvery = n;
  }

  /** Answer every call of `actions` with HTTP 500 InternalError for `ms`. */
  failFor(actions: readonly string[], ms: number): void {
    this.#failing = { actions: new Set(actions), until: Date.now() + ms };
  }

  /** Hold every DeleteMessageBatch from now on; resolves once one is held. */
  holdDeletes(): Promise<void> {
    this.#holding = true;
    return new Promise((resolve) => {
      if (this.#held.length > 0) resolve();
      else this.#onHeld = resolve;
    });
  }

  /** Stop holding and throw the held calls away (their consumer is dead): returns the entries dropped. */
  dropHeld(): number {
    this.#holding = false;
    this.#onHeld = undefined;
    let entries = 0;
    for (const h of this.#held) {
      entries += h.entries;
      h.res.destroy();
    }
    this.#held = [];
    this.stats.droppedDeletes += entries;
    return entries;
  }

  async #handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const target = req.headers['x-amz-target'];
    const action = (typeof target === 'string' ? target.split('.').pop() : undefined) ?? 'Unknown';

    if (this.#failing && Date.now() < this.#failing.until && this.#failing.actions.has(action)) {
      this.stats.failedCalls += 1;
      reply(res, 500, { __type: 'com.amazonaws.sqs#InternalError', message: 'injected by the chaos proxy' }, { 'x-amzn-query-error': 'InternalError;Receiver' });
      return;
    }
    if (action === 'DeleteMessageBatch' && this.#holding) {
      const entries = (JSON.parse(body.toString('utf8')) as DeleteBatchRequest).Entries?.length ?? 0;
      this.#held.push({ res, entries });
      this.#onHeld?.();
      this.#onHeld = undefined;
      return;
    }
    if (action === 'DeleteMessageBatch') {
      await this.#deleteBatch(req, res, body);
      return;
    }
    const upstream = await this.#forward(req, body);
    if (action === 'ReceiveMessage' && upstream.status === 200) this.#recordReceive(upstream.body);
    res.writeHead(upstream.status, { ...upstream.headers, 'content-length': String(upstream.body.length) });
    res.end(upstream.body);
  }

  #recordReceive(body: Buffer): void {
    const { Messages = [] } = JSON.parse(body.toString('utf8')) as ReceiveReply;
    for (const m of Messages) {
      if (!m.MessageId || !m.ReceiptHandle) continue;
      this.#handles.set(m.ReceiptHandle, m.MessageId);
      this.stats.receives.set(m.MessageId, (this.stats.receives.get(m.MessageId) ?? 0) + 1);
    }
  }

  async #deleteBatch(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const parsed = JSON.parse(body.toString('utf8')) as DeleteBatchRequest;
    const entries = parsed.Entries ?? [];
    const kept: typeof entries = [];
    const swallowed: string[] = [];
    for (const e of entries) {
      const id = this.#handles.get(e.ReceiptHandle);
      this.#deleteEntriesSeen += 1;
      if (id && this.#swallowEvery > 0 && this.#deleteEntriesSeen % this.#swallowEvery === 0 && !this.stats.swallowed.has(id) && !this.stats.deleted.has(id)) {
        this.stats.swallowed.add(id);
        swallowed.push(e.Id);
      } else {
        kept.push(e);
      }
    }
    let result: DeleteBatchReply = { Successful: [], Failed: [] };
    if (kept.length > 0) {
      const upstream = await this.#forward(req, Buffer.from(JSON.stringify({ ...parsed, Entries: kept })));
      if (upstream.status !== 200) {
        res.writeHead(upstream.status, { ...upstream.headers, 'content-length': String(upstream.body.length) });
        res.end(upstream.body);
        return;
      }
      result = JSON.parse(upstream.body.toString('utf8')) as DeleteBatchReply;
      const ok = new Set((result.Successful ?? []).map((s) => s.Id));
      for (const e of kept) {
        const id = this.#handles.get(e.ReceiptHandle);
        if (id && ok.has(e.Id)) this.stats.deleted.add(id);
      }
    }
    reply(res, 200, { Successful: [...(result.Successful ?? []), ...swallowed.map((Id) => ({ Id }))], Failed: result.Failed ?? [] });
  }

  #forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && k !== 'content-length' && k !== 'host' && k !== 'connection') headers[k] = v;
      }
      headers['content-length'] = String(body.length);
      const upstream = request(
        { host: this.#target.hostname, port: this.#target.port, method: req.method, path: req.url, headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(response.headers)) {
              if (typeof v === 'string' && k !== 'content-length' && k !== 'connection' && k !== 'transfer-encoding') out[k] = v;
            }
            resolve({ status: response.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}

function reply(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(json));
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(body.length), ...headers });
  res.end(body);
}
