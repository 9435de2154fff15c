import type { SQSRecord } from 'aws-lambda';
import pg from 'pg';
import { prepareRecord } from '../lambda/pipeline/prepare-record.js';
import type { DataKeyRef, PreparedRecord } from '../lambda/pipeline/types.js';
import type { ExpectedRows } from './bench-database.js';
import type { BenchContext } from './context.js';
import { summarize, type RatePhase, type RateRun, type RateSummary } from './rate.js';
import { perSecond } from './stats.js';

export type FloorResult = RateSummary;

const LOGIN_SQL = `
WITH vault AS (
  INSERT INTO pii_vault (token, kind, key_version, dek_id, nonce, ciphertext)
  VALUES ($1, $2, $3, $11, $4, $5), ($6, $7, $8, $11, $9, $10)
  ON CONFLICT (token) DO NOTHING
)
INSERT INTO user_logins (user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
                         message_id, app_version_text, key_version, sent_at)
VALUES ($12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
ON CONFLICT (message_id, create_date) DO NOTHING`;

const QUARANTINE_SQL = `
INSERT INTO user_logins_quarantine (message_id, reason, detail, preview, body_dek_id, body_nonce, body_ciphertext,
                                    key_version, sent_at, receive_count)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (message_id) DO NOTHING`;

function statement(item: PreparedRecord, dataKeyId: string): { text: string; values: unknown[] } {
  if (item.kind === 'quarantine') {
    const q = item.row;
    return {
      text: QUARANTINE_SQL,
      values: [q.messageId, q.reason, q.detail, q.preview, dataKeyId, q.bodyNonce, q.bodyCiphertext, q.keyVersion, q.sentAt, q.receiveCount],
    };
  }
  const [ip, device] = item.vault;
  const l = item.row;
  const v = (e: (typeof item.vault)[number] | undefined) => [e?.token, e?.kind, e?.keyVersion, e?.nonce, e?.ciphertext];
  return {
    text: LOGIN_SQL,
    values: [
      ...v(ip), ...v(device), dataKeyId,
      l.userId, l.deviceType, l.maskedIp, l.maskedDeviceId, l.locale, l.appVersion, l.createDate, l.messageId, l.appVersionText, l.keyVersion, l.sentAt,
    ],
  };
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
      const dataKey = await resources.dataKeys.acquire(records.length * 2);
      const keyRef: DataKeyRef = { id: dataKey.id, kekId: dataKey.kekId, wrapped: dataKey.wrapped };
      await client.query('INSERT INTO vault_data_keys (id, kek_id, wrapped_key) VALUES ($1, $2, $3)', [keyRef.id, keyRef.kekId, keyRef.wrapped]);
      const started = performance.now();
      for (const record of records) {
        const item = prepareRecord(record, {
          tokenizer: resources.tokenizer,
          dataKey: dataKey.key,
          now: new Date(),
          sealedByToken: new Map(),
        });
        await client.query(statement(item, keyRef.id));
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
