import type { SQSRecord } from 'aws-lambda';
import pg from 'pg';
import { prepareRecord, sealingWith } from '../lambda/pipeline/prepare-record.js';
import { DATA_KEY_WRITE, LOGIN_WRITE, QUARANTINE_WRITE, type TableWrite } from '../lambda/db/write-spec.js';
import { SEALS_PER_RECORD, type DataKeyRef, type PreparedRecord } from '../lambda/pipeline/types.js';
import type { ExpectedRows } from './bench-database.js';
import type { BenchContext } from './context.js';
import { summarize, type RatePhase, type RateRun, type RateSummary } from './rate.js';
import { perSecond } from './stats.js';

export type FloorResult = RateSummary;

/** `INSERT INTO table (columns) VALUES ($1, …)`: one row, with the table's conflict target. */
function insertSql(write: TableWrite<never>): string {
  return `INSERT INTO ${write.table} (${write.columns.join(', ')}) VALUES (${write.columns.map((_c, i) => `$${i + 1}`).join(', ')})
ON CONFLICT (${write.conflictTarget.join(', ')}) DO NOTHING`;
}

const LOGIN_SQL = insertSql(LOGIN_WRITE);
const QUARANTINE_SQL = insertSql(QUARANTINE_WRITE);
const DATA_KEY_SQL = insertSql(DATA_KEY_WRITE);

/** One message's write, as the write's specification fills its tables. */
function statement(item: PreparedRecord, dataKey: DataKeyRef): { text: string; values: unknown[] } {
  if (item.kind === 'quarantine') return { text: QUARANTINE_SQL, values: QUARANTINE_WRITE.row(item.row, dataKey) };
  return { text: LOGIN_SQL, values: LOGIN_WRITE.row(item.row, dataKey) };
}

/**
 * The floor: how the earlier solutions wrote, one message at a time. Each
 * message is prepared on its own (the same parse, validate, mask and seal
 * code, no batch-level reuse) and written by one INSERT (its login row and
 * its vault entries, or its quarantine row) in its own transaction: one
 * round trip and one WAL flush per message.
 */
export class FloorPhase implements RatePhase<FloorResult> {
  readonly label = 'floor (INSERT per message)';
  readonly #runs: RateRun[] = [];

  constructor(
    readonly ctx: BenchContext,
    readonly records: readonly SQSRecord[],
    readonly expected: ExpectedRows,
  ) {}

  async run(): Promise<void> {
    const { ctx, records } = this;
    const etl = ctx.newEtl();
    const client = new pg.Client({ connectionString: ctx.db.url, application_name: 'login-etl-floor' });
    await client.connect();
    try {
      const resources = await etl.resources();
      await ctx.db.reset();
      const dataKey = await resources.dataKeys.acquire(records.length * SEALS_PER_RECORD);
      const keyRef: DataKeyRef = { id: dataKey.id, kekId: dataKey.kekId, wrapped: dataKey.wrapped };
      await client.query(DATA_KEY_SQL, DATA_KEY_WRITE.row(keyRef, keyRef));
      const started = performance.now();
      for (const record of records) {
        const item = prepareRecord(record, {
          tokenizer: resources.tokenizer,
          // One message per invocation: one row per sealer.
          ...sealingWith(dataKey, 1),
          now: new Date(),
        });
        await client.query(statement(item, keyRef));
      }
      const ms = performance.now() - started;
      await ctx.db.verify(this.expected, 'floor');
      this.#runs.push({ ms, recordsPerSecond: perSecond(records.length, ms) });
    } finally {
      await client.end();
      await etl.close();
    }
  }

  result(): FloorResult {
    return summarize(this.records.length, this.#runs);
  }
}
