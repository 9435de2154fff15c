import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsRecord } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { envelopeEvent, envelopeFixturePath, innerLogin, snsWrapped } from '../support/envelopes.js';
import { keyringJson, kekFile, testEnv } from '../support/keys.js';
import { scanDatabaseForPii } from '../support/pii-scan.js';
import { runTool } from '../support/run-tool.js';
import { exampleLogin, findPii } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/** Every column of a login row but the two that name the delivery (message id, time of insert). */
const ROW = `user_id, device_type, masked_ip, masked_device_id, locale, app_version, app_version_text, create_date::text, key_version, sent_at`;

interface QuarantineRow {
  reason: string;
  detail: string;
  preview: unknown;
}

/** The same login sent bare: the inner login as the body, the record otherwise as delivered, a new message id. */
function bareTwin(record: SQSRecord): SQSRecord {
  return { ...sqsRecord(innerLogin(record.body), { messageId: `bare-${record.messageId}` }), attributes: record.attributes };
}

describe('logins in SNS and EventBridge envelopes, through the handler, against Postgres', () => {
  let db: TestDatabase;
  let etl: LoginEtl;
  const keys = { MASKING_KEYS: keyringJson(), VAULT_KEK_FILE: kekFile() };

  before(async () => {
    db = await createTestDatabase('envelopes');
    etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl, keys)));
  });
  after(async () => {
    await etl.close();
    await db.drop();
  });

  const rowOf = async (messageId: string) =>
    (await db.pool.query<Record<string, unknown>>(`SELECT ${ROW} FROM user_logins WHERE message_id = $1`, [messageId])).rows;
  const quarantined = async (messageId: string) =>
    (await db.pool.query<QuarantineRow>('SELECT reason, detail, preview FROM user_logins_quarantine WHERE message_id = $1', [messageId])).rows[0];

  /** Handles the fixture; every record gets one home, and each valid login's row equals its bare twin's. */
  async function landFixture(name: Parameters<typeof envelopeEvent>[0], written: number[]): Promise<SQSEvent> {
    const event = envelopeEvent(name);
    assert.deepEqual(await etl.handle(event), { batchItemFailures: [] });
    const twins = event.Records.filter((_, i) => written.includes(i)).map(bareTwin);
    assert.deepEqual(await etl.handle({ Records: twins }), { batchItemFailures: [] });
    for (const [i, record] of event.Records.entries()) {
      const rows = await rowOf(record.messageId);
      if (!written.includes(i)) {
        assert.equal(rows.length, 0, `record ${i} is not a row`);
        continue;
      }
      assert.equal(rows.length, 1, `record ${i} is a row`);
      assert.deepEqual(rows, await rowOf(`bare-${record.messageId}`), `record ${i}: the same row as the bare login`);
      assert.equal(await quarantined(record.messageId), undefined);
    }
    return event;
  }

  it('SNS, standard topic: writes the logins (with and without Subject and MessageAttributes), quarantines the rest naming SNS', async () => {
    const event = await landFixture('sns', [0, 1]);
    const [, , noUserId, notJson] = event.Records as [SQSRecord, SQSRecord, SQSRecord, SQSRecord];
    const q1 = await quarantined(noUserId.messageId);
    assert.equal(q1?.reason, 'schema_violation');
    assert.equal(q1?.detail, 'sns: user_id: is required');
    const q2 = await quarantined(notJson.messageId);
    assert.equal(q2?.reason, 'invalid_json');
    assert.equal(q2?.detail, 'sns: Message is not valid JSON');
  });

  it('SNS, FIFO topic: writes the login, quarantines the bad one naming SNS', async () => {
    const event = await landFixture('snsFifo', [0]);
    const q = await quarantined((event.Records[1] as SQSRecord).messageId);
    assert.equal(q?.reason, 'schema_violation');
    assert.equal(q?.detail, 'sns: ip: must be an IPv4 or IPv6 address');
  });

  it('EventBridge: writes the login, quarantines the bad one naming EventBridge', async () => {
    const event = await landFixture('eventBridge', [0]);
    const q = await quarantined((event.Records[1] as SQSRecord).messageId);
    assert.equal(q?.reason, 'schema_violation');
    assert.equal(q?.detail, 'eventbridge: device_id: is required');
  });

  it('previews the login inside, masked, and stores no plain ip or device id anywhere', async () => {
    const [, , noUserId, notJson] = envelopeEvent('sns').Records as [SQSRecord, SQSRecord, SQSRecord, SQSRecord];
    const inner = (await quarantined(noUserId.messageId))?.preview as { fields: Record<string, string> };
    assert.equal(inner.fields.device_type, 'ios');
    assert.match(inner.fields.ip ?? '', /^token:/);
    assert.match(inner.fields.device_id ?? '', /^token:/);
    const envelope = (await quarantined(notJson.messageId))?.preview as { fields: Record<string, string>; unknown_fields: number };
    assert.deepEqual(envelope.fields, {}, 'an envelope whose Message is not JSON shows no field of it, not even names');
    assert.ok(envelope.unknown_fields >= 5, 'only the count of its fields');
    assert.deepEqual(await scanDatabaseForPii(db.pool), []);
  });

  it('absorbs a redelivered envelope as a duplicate (idempotency on the SQS message id)', async () => {
    const again = await etl.process(envelopeEvent('sns'));
    assert.deepEqual(again.counts, { written: 0, duplicate: 4, quarantined: 0, failed: 0 });
  });

  it('treats a bare login with a Type field as a bare login', async () => {
    const bodies = [
      JSON.stringify({ ...exampleLogin, Type: 'Notification', user_id: 'typed-1' }),
      JSON.stringify({ ...exampleLogin, source: 'web', detail: { campaign: 'x' }, user_id: 'typed-2' }),
      JSON.stringify({ Type: 'Notification', Message: JSON.stringify(exampleLogin), detail: exampleLogin }),
    ];
    const records = bodies.map((b, i) => sqsRecord(b, { messageId: `typed-${i}` }));
    const result = await etl.process({ Records: records });
    assert.deepEqual(result.counts, { written: 2, duplicate: 0, quarantined: 1, failed: 0 });
    assert.equal((await rowOf('typed-0'))[0]?.user_id, 'typed-1', 'unknown fields are ignored, as for any login');
    assert.equal((await rowOf('typed-1'))[0]?.user_id, 'typed-2');
    const q = await quarantined('typed-2');
    assert.equal(q?.reason, 'schema_violation');
    assert.match(q?.detail ?? '', /^user_id: is required/);
  });

  it('with UNWRAP_ENVELOPES=false, quarantines every envelope as a schema violation', async () => {
    const off = new LoginEtl(loadConfig(testEnv(db.pipelineUrl, { ...keys, UNWRAP_ENVELOPES: 'false' })));
    try {
      const records = [
        ...envelopeEvent('snsFifo').Records,
        ...envelopeEvent('eventBridge').Records,
        sqsRecord(snsWrapped(JSON.stringify(exampleLogin)), { messageId: 'off-sns' }),
      ].map((r) => ({ ...r, messageId: `off-${r.messageId}`, eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:login-queue' }));
      const result = await off.process({ Records: records });
      assert.deepEqual(result.counts, { written: 0, duplicate: 0, quarantined: records.length, failed: 0 });
      for (const r of records) {
        const q = await quarantined(r.messageId);
        assert.equal(q?.reason, 'schema_violation');
        assert.match(q?.detail ?? '', /^user_id: is required; .*\(the body is an? (SNS notification|EventBridge event); envelope unwrapping is off\)$/);
      }
    } finally {
      await off.close();
    }
  });

  it('logs no plain ip or device id for envelopes (npm run invoke --logs)', async () => {
    const fresh = await createTestDatabase('envelopes_logs');
    try {
      const expected = { sns: '2 written, 0 duplicate, 2 quarantined', snsFifo: '1 written, 0 duplicate, 1 quarantined', eventBridge: '1 written, 0 duplicate, 1 quarantined' };
      for (const [fixture, counts] of Object.entries(expected) as [keyof typeof expected, string][]) {
        const run = await runTool('invoke', [envelopeFixturePath(fixture), '--logs'], testEnv(fresh.adminUrl));
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, new RegExp(counts));
        const output = run.stdout + run.stderr;
        assert.match(output, /"message":"record quarantined".*"detail":"(sns|eventbridge): /, `${fixture}: the quarantine is logged with its detail`);
        assert.deepEqual(findPii(output), [], `${fixture}: no PII in output or logs`);
      }
      assert.deepEqual(await scanDatabaseForPii(fresh.pool), []);
    } finally {
      await fresh.drop();
    }
  });
});
