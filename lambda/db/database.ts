import pg from 'pg';
import type { PoolClient, PoolConfig } from 'pg';
import { isDeadConnectionError, refusedSqlState } from './database-errors.js';

/** What a query through the cached pool reports besides its result. */
export interface ConnectionInfo {
  /** Milliseconds spent opening a new connection; undefined when one was reused. */
  connectMs?: number;
  /** True when the first attempt hit a dead connection and the work was retried on another. */
  retried: boolean;
}

/**
 * The function's cached connection: one `pg.Pool` per sandbox, created once and
 * reused by warm invocations. A connection that died while the sandbox was
 * frozen is discarded and the work retried on another (see run()); that is safe
 * because every write login-etl makes is idempotent (ON CONFLICT DO NOTHING).
 */
export class Database {
  readonly #pool: pg.Pool;
  readonly #known = new WeakSet<PoolClient>();
  /** Errors raised on a reused connection (one that went stale while idle). */
  readonly #staleFailures = new WeakSet<object>();

  constructor(config: PoolConfig) {
    this.#pool = new pg.Pool(config);
    // Idle clients can error (server restart, proxy idle timeout). Without a
    // listener Node would crash the process; the pool already drops the client.
    this.#pool.on('error', () => undefined);
    this.#pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** The pool's connections, open and idle: what the reliability tests watch, without handing out the pool. */
  get connections(): { open: number; idle: number } {
    return { open: this.#pool.totalCount, idle: this.#pool.idleCount };
  }

  async run<T>(work: (client: PoolClient) => Promise<T>): Promise<{ value: T } & ConnectionInfo> {
    // A dead connection is retried on another one. With DB_POOL_MAX > 1 the
    // pool may hold several connections that died together (frozen process,
    // server restart), so the retry goes on while the one that failed was a
    // reused connection (at most once per pool slot); a connection opened
    // for the retry failing too means the database is unreachable.
    const slots = this.#pool.options.max ?? 10;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return { ...(await this.#attempt(work)), retried: attempt > 0 };
      } catch (error) {
        const again = isDeadConnectionError(error) && (attempt === 0 || this.#staleFailures.has(error as object)) && attempt < slots;
        if (!again) throw error;
      }
    }
  }

  async #attempt<T>(work: (client: PoolClient) => Promise<T>): Promise<{ value: T; connectMs?: number }> {
    const started = performance.now();
    const client = await this.#pool.connect();
    const connectMs = this.#known.has(client) ? undefined : performance.now() - started;
    this.#known.add(client);
    try {
      const value = await work(client);
      client.release();
      return connectMs === undefined ? { value } : { value, connectMs };
    } catch (error) {
      // Only a statement the server refused proves the connection is still
      // in step; anything else (socket, client timeout) discards it.
      const reusable = refusedSqlState(error) !== undefined;
      if (connectMs === undefined && typeof error === 'object' && error !== null) this.#staleFailures.add(error);
      client.release(reusable ? undefined : error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
