import type { SQSRecord } from 'aws-lambda';
import { SEALS_PER_RECORD, type WriteSet } from '../lambda/pipeline/types.js';
import type { ExpectedRows } from './bench-database.js';
import type { BenchContext } from './context.js';
import { copyIn } from './copy.js';
import { cpuUsPerRecord } from './process-cpu.js';
import { summarize, type RatePhase, type RateRun, type RateSummary } from './rate.js';
import { encodeTables, precomputeRows, type PrecomputedRows } from './rows.js';
import { perSecond } from './stats.js';

export interface CeilingResult extends RateSummary {
  /** Rows COPYed per table. */
  rows: Record<string, number>;
}

/**
 * The rows login-etl writes for the main set, computed once with the
 * pipeline's own code and the handler's keys: what the ceiling COPYs, and
 * what every run must leave in the tables.
 */
export async function precompute(ctx: BenchContext, records: readonly SQSRecord[]): Promise<{ rows: PrecomputedRows; expected: ExpectedRows }> {
  const etl = ctx.newEtl();
  try {
    const resources = await etl.resources();
    const dataKey = await resources.dataKeys.acquire(records.length * SEALS_PER_RECORD);
    const rows = precomputeRows(records, resources.tokenizer, dataKey);
    return { rows, expected: expectedOf(rows.writeSet) };
  } finally {
    await etl.close();
  }
}

/** What a write set (deduplicated as the tables will hold it) leaves in the tables. */
export function expectedOf(set: WriteSet): ExpectedRows {
  // The originals travel inside the login rows (migration 14): the vault stays empty.
  return { user_logins: set.logins.length, user_logins_quarantine: set.quarantine.length, pii_vault: 0 };
}

/**
 * The ceiling: the same rows, pre-computed and pre-encoded, COPYed into the
 * same (emptied) tables, one COPY per table, in one transaction. Nothing a
 * pipeline can do with these tables and indexes writes them faster.
 */
export class CeilingPhase implements RatePhase<CeilingResult> {
  readonly label = 'ceiling (COPY)';
  readonly #runs: RateRun[] = [];
  readonly #tables: ReturnType<typeof encodeTables>;

  constructor(
    readonly ctx: BenchContext,
    rows: PrecomputedRows,
    readonly expected: ExpectedRows,
    readonly records: number,
  ) {
    this.#tables = encodeTables(rows.tables);
  }

  async run(): Promise<void> {
    const { db } = this.ctx;
    const client = db.admin;
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    await db.reset();
    const cpu0 = pid === undefined ? undefined : db.backendCpuMs(pid);
    const started = performance.now();
    await client.query('BEGIN');
    try {
      for (const t of this.#tables) await copyIn(client, t.copySql, t.chunks);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    const ms = performance.now() - started;
    const cpu1 = pid === undefined ? undefined : db.backendCpuMs(pid);
    await db.verify(this.expected, 'ceiling');
    const server = cpuUsPerRecord(cpu0, cpu1, this.records);
    this.#runs.push({ ms, recordsPerSecond: perSecond(this.records, ms), ...(server === undefined ? {} : { serverCpuUsPerRecord: server }) });
  }

  result(): CeilingResult {
    return { ...summarize(this.records, this.#runs), rows: Object.fromEntries(this.#tables.map((t) => [t.table, t.rows])) };
  }
}
