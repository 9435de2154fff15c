import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { ensureDatabaseExists, withDatabase } from '../tools/lib/local-database.js';
import { migrateDatabase } from '../tools/lib/local-environment.js';
import { processCpuMs } from './process-cpu.js';

/** Every table the pipeline writes; emptied before each measured run. */
const PIPELINE_TABLES = ['user_logins', 'user_logins_quarantine', 'pii_vault', 'vault_data_keys'] as const;
export type PipelineTable = (typeof PIPELINE_TABLES)[number];

/** What a complete run of the main message set leaves in the tables. */
export type ExpectedRows = Record<Exclude<PipelineTable, 'vault_data_keys'>, number>;

/**
 * A database of the bench's own on the given server, created and migrated at
 * start (user_logins partitioned by month, a year of months ahead) and dropped at the end, so ON CONFLICT never meets rows of another
 * run (or of the tests) and turns writes into no-ops. `reset()` empties the
 * pipeline's tables and checkpoints, so every measured run starts from the
 * same state: empty tables, no dirty buffers, a fresh WAL segment.
 */
export class BenchDatabase {
  readonly #admin: pg.Client;

  private constructor(
    readonly serverUrl: string,
    readonly name: string,
    readonly url: string,
    admin: pg.Client,
  ) {
    this.#admin = admin;
  }

  static async create(serverUrl: string): Promise<BenchDatabase> {
    const name = `login_etl_bench_${randomBytes(4).toString('hex')}`;
    await ensureDatabaseExists(serverUrl, name);
    const url = withDatabase(serverUrl, name);
    await migrateDatabase(url);
    const admin = new pg.Client({ connectionString: url, application_name: 'login-etl-bench' });
    await admin.connect();
    // A year of months ahead, as maintenance keeps a deployed database: the
    // write is measured on a partitioned user_logins with 12 or more partitions.
    await admin.query('SELECT * FROM login_etl_maintain_v1(12, 1200, 14, true)');
    return new BenchDatabase(serverUrl, name, url, admin);
  }

  get admin(): pg.Client {
    return this.#admin;
  }

  async reset(): Promise<void> {
    await this.#admin.query(`TRUNCATE ${PIPELINE_TABLES.join(', ')}`);
    // Needs superuser or pg_checkpoint; without it runs are merely noisier.
    await this.#admin.query('CHECKPOINT').catch(() => undefined);
  }

  /** Row counts of the pipeline's tables. */
  async counts(): Promise<Record<PipelineTable, number>> {
    const result = await this.#admin.query<Record<PipelineTable, string>>(
      `SELECT ${PIPELINE_TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`,
    );
    const row = result.rows[0];
    return Object.fromEntries(PIPELINE_TABLES.map((t) => [t, Number(row?.[t] ?? 0)])) as Record<PipelineTable, number>;
  }

  /** Throws unless the tables hold exactly the expected logins, quarantined messages and vault entries. */
  async verify(expected: ExpectedRows, what: string): Promise<void> {
    const counts = await this.counts();
    for (const table of ['user_logins', 'user_logins_quarantine', 'pii_vault'] as const) {
      if (counts[table] !== expected[table]) {
        throw new Error(`${what}: ${table} holds ${counts[table]} rows, expected ${expected[table]}`);
      }
    }
  }

  /** The handler's backends (application_name login-etl) on this database now: connected, running, waiting on a lock. */
  async handlerActivity(): Promise<ActivitySample> {
    const result = await this.#admin.query<{ connected: string; active: string; lock: string }>(
      `SELECT count(*) AS connected,
              count(*) FILTER (WHERE state = 'active') AS active,
              count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock') AS lock
       FROM pg_stat_activity WHERE datname = $1 AND application_name = 'login-etl'`,
      [this.name],
    );
    const row = result.rows[0];
    return { connected: Number(row?.connected ?? 0), active: Number(row?.active ?? 0), lockWaiting: Number(row?.lock ?? 0) };
  }

  /** Server process ids of the handler's connections (for CPU accounting when the server is local). */
  async handlerPids(): Promise<number[]> {
    const result = await this.#admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'login-etl'`,
      [this.name],
    );
    return result.rows.map((r) => r.pid);
  }

  /** CPU milliseconds a server backend has used, or undefined when it is not on this host. */
  backendCpuMs(pid: number): number | undefined {
    return existsSync(`/proc/${pid}/stat`) ? processCpuMs(pid) : undefined;
  }

  async serverInfo(): Promise<Record<string, string>> {
    const result = await this.#admin.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM unnest(ARRAY['server_version', 'shared_buffers',
         'synchronous_commit', 'fsync', 'full_page_writes', 'wal_level', 'max_wal_size', 'wal_compression',
         'max_connections']) AS name`,
    );
    return Object.fromEntries(result.rows.map((r) => [r.name, r.setting]));
  }

  async drop(): Promise<void> {
    await this.#admin.end().catch(() => undefined);
    const server = new pg.Client({ connectionString: this.serverUrl, connectionTimeoutMillis: 10_000 });
    await server.connect();
    try {
      await server.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    } finally {
      await server.end();
    }
  }
}

export interface ActivitySample {
  connected: number;
  active: number;
  lockWaiting: number;
}

export interface ActivitySummary {
  /** Most handler connections seen at once. */
  peakConnections: number;
  /** Of the backends seen running a statement, the share waiting on a row lock held by another batch. */
  lockWaitShare: number;
}

/** Polls pg_stat_activity every `intervalMs` until stopped. */
export class ActivitySampler {
  #peak = 0;
  #active = 0;
  #waiting = 0;
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(sample: () => Promise<ActivitySample>, intervalMs = 20) {
    this.#done = (async () => {
      while (!this.#stopped) {
        const s = await sample().catch(() => undefined);
        if (s) {
          this.#peak = Math.max(this.#peak, s.connected);
          this.#active += s.active;
          this.#waiting += s.lockWaiting;
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
  }

  async stop(): Promise<ActivitySummary> {
    this.#stopped = true;
    await this.#done;
    return { peakConnections: this.#peak, lockWaitShare: this.#active ? this.#waiting / this.#active : 0 };
  }
}
