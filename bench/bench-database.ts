import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { migrate } from '../lambda/db/migrate.js';
import { migrations } from '../lambda/db/migrations/index.js';
import { WRITE_FUNCTION } from '../lambda/db/write-spec.js';
import { ensureDatabaseExists, withDatabase } from '../tools/lib/local-database.js';
import { migrateDatabase } from '../tools/lib/local-environment.js';
import { provisionLocalPipelineLogin } from '../tools/lib/local-logins.js';
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
  #sampling = false;

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

  /**
   * A database whose user_logins is one plain table, to measure the
   * partitioned layout against: migrated up to the migration that partitions
   * it, the write function the code calls (WRITE_FUNCTION) being the one
   * before it (login_etl_write_v3, same body, keyed on message_id alone)
   * under that name.
   */
  static async createUnpartitioned(serverUrl: string): Promise<BenchDatabase> {
    const name = `login_etl_bench_flat_${randomBytes(4).toString('hex')}`;
    await ensureDatabaseExists(serverUrl, name);
    const url = withDatabase(serverUrl, name);
    const admin = new pg.Client({ connectionString: url, application_name: 'login-etl-bench' });
    await admin.connect();
    try {
      const partitioning = migrations.findIndex((m) => m.name === 'partition_user_logins');
      if (partitioning < 0) throw new Error('no partition_user_logins migration to stop before');
      await migrate(admin, migrations.slice(0, partitioning));
      const def = await admin.query<{ def: string }>(`SELECT pg_get_functiondef('login_etl_write_v3'::regproc) AS def`);
      await admin.query(String(def.rows[0]?.def).replace('.login_etl_write_v3(', `.${WRITE_FUNCTION}(`));
      await admin.query(`REVOKE ALL ON FUNCTION ${WRITE_FUNCTION} FROM PUBLIC`);
      await admin.query(`GRANT EXECUTE ON FUNCTION ${WRITE_FUNCTION} TO login_etl_writer`);
      await provisionLocalPipelineLogin(admin, url);
    } catch (error) {
      await admin.end().catch(() => undefined);
      throw error;
    }
    return new BenchDatabase(serverUrl, name, url, admin);
  }

  /** Partitions of user_logins besides the default one (0 when it is a plain table). */
  async userLoginPartitions(): Promise<number> {
    const result = await this.#admin.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'user_logins'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'`,
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  /**
   * The same database, its `url` (what phases connect their own clients with)
   * rerouted, e.g. through the network hop; resets, counts and polls stay on
   * the direct admin connection.
   */
  through(url: string): BenchDatabase {
    return new BenchDatabase(this.serverUrl, this.name, url, this.#admin);
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

  /**
   * Polls of the handler's backends (application_name login-etl) on this
   * database, made inside the server by {@link SAMPLE_FUNCTION}: `polls` reads
   * of pg_stat_activity `intervalMs` apart, each on a fresh snapshot, summed.
   * In the server the interval holds however busy this process or the machine
   * is; one round trip brings back a whole series.
   */
  async handlerActivity(polls: number, intervalMs: number): Promise<ActivityTotals> {
    if (!this.#sampling) {
      await this.#admin.query(SAMPLE_FUNCTION);
      this.#sampling = true;
    }
    const result = await this.#admin.query<{ polls: number; peak: number; active: string; waiting: string }>(
      'SELECT * FROM pg_temp.login_etl_handler_activity($1, $2, $3)',
      [this.name, polls, intervalMs],
    );
    const row = result.rows[0];
    return { polls: row?.polls ?? 0, peakConnections: row?.peak ?? 0, active: Number(row?.active ?? 0), lockWaiting: Number(row?.waiting ?? 0) };
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

/**
 * A temporary function of the bench's admin session (never in the schema the
 * migrations own) that polls pg_stat_activity in a loop. Each poll clears the
 * statistics snapshot first: within one transaction pg_stat_activity
 * otherwise returns the same rows every time.
 */
const SAMPLE_FUNCTION = `
CREATE OR REPLACE FUNCTION pg_temp.login_etl_handler_activity(db name, n_polls int, interval_ms int,
  OUT polls int, OUT peak int, OUT active bigint, OUT waiting bigint)
LANGUAGE plpgsql AS $$
DECLARE
  n int; a int; w int;
BEGIN
  peak := 0; active := 0; waiting := 0;
  polls := n_polls;
  FOR i IN 1..n_polls LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT count(*), count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock')
      INTO n, a, w
      FROM pg_stat_activity WHERE datname = db AND application_name = 'login-etl';
    peak := greatest(peak, n); active := active + a; waiting := waiting + w;
    PERFORM pg_sleep(interval_ms / 1000.0);
  END LOOP;
END $$`;

/** What a series of polls saw, summed. */
export interface ActivityTotals {
  polls: number;
  peakConnections: number;
  /** Handler backends seen running a statement (state 'active'), summed over the polls. */
  active: number;
  /** Of those, the ones seen waiting on a lock. */
  lockWaiting: number;
}

/**
 * What the polls of pg_stat_activity saw. Lock waits are a share of
 * observations, not of time: each poll counts the handler backends running a
 * statement (state 'active') and, of those, the ones waiting on a heavyweight
 * lock (wait_event_type 'Lock': a row, tuple or transaction lock another
 * batch holds). With polls far more frequent than a statement is long, the
 * share estimates the fraction of statement time spent waiting.
 */
export interface ActivitySummary {
  /** Most handler connections seen at once. */
  peakConnections: number;
  /** Polls made. */
  polls: number;
  /** Handler backends seen running a statement, summed over the polls. */
  activeObservations: number;
  /** Of those, the ones seen waiting on a lock. */
  lockWaitObservations: number;
  /** lockWaitObservations / activeObservations (0 when nothing was seen running). */
  lockWaitShare: number;
}

/** Pause inside the server between two polls of pg_stat_activity. */
export const ACTIVITY_POLL_MS = 5;
/** Polls per round trip of the sampler: a series of about 100 ms. */
const POLLS_PER_SERIES = 20;

/** Polls the handler's backends every ACTIVITY_POLL_MS, in series made by the server, until stopped. */
export class ActivitySampler {
  #peak = 0;
  #polls = 0;
  #active = 0;
  #waiting = 0;
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(sample: (polls: number, intervalMs: number) => Promise<ActivityTotals>) {
    this.#done = (async () => {
      while (!this.#stopped) {
        const s = await sample(POLLS_PER_SERIES, ACTIVITY_POLL_MS);
        this.#polls += s.polls;
        this.#peak = Math.max(this.#peak, s.peakConnections);
        this.#active += s.active;
        this.#waiting += s.lockWaiting;
      }
    })();
    // A failed poll fails the level, at stop(); until then it must not count as unhandled.
    this.#done.catch(() => undefined);
  }

  /** Ends after the series under way (at most ~100 ms, in which idle handlers add polls but no running backends). */
  async stop(): Promise<ActivitySummary> {
    this.#stopped = true;
    await this.#done;
    return lockWaits(this.#peak, this.#polls, this.#active, this.#waiting);
  }
}

/** The summary of polls, pooled over passes: observations add up, the share is recomputed from the sums. */
export function lockWaits(peakConnections: number, polls: number, activeObservations: number, lockWaitObservations: number): ActivitySummary {
  return {
    peakConnections,
    polls,
    activeObservations,
    lockWaitObservations,
    lockWaitShare: activeObservations > 0 ? lockWaitObservations / activeObservations : 0,
  };
}
