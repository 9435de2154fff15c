import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../tools/lib/cli.js';
import { parseCommandLine } from '../../../tools/lib/command-line.js';
import { replay } from '../../../tools/lib/commands/operator.js';
import { operatorDatabase } from '../../../tools/lib/pii/operator-session.js';
import { parseReplayFilter } from '../../../tools/lib/pii/replay-filter.js';
import { sealsOfOneRecord } from '../../../tools/lib/pii/replay.js';
import { SEALS_PER_RECORD } from '../../../lambda/pipeline/types.js';
import { DataKeyLimitError } from '../../../lambda/vault/data-key-cache.js';

const usage = (values: Parameters<typeof parseReplayFilter>[0] | string[], message: RegExp) =>
  assert.throws(() => (Array.isArray(values) ? parseCommandLine(replay, values) : parseReplayFilter(values)), (error: unknown) => {
    assert.ok(error instanceof UsageError, 'a usage error: one line, exit 2');
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });

describe('replay: filter, connection, seals', () => {
  it('takes a known quarantine reason, a message id and a date or a zoned time', () => {
    assert.deepEqual(parseReplayFilter({ 'quarantine-reason': 'rejected_by_database' }), { reason: 'rejected_by_database' });
    assert.deepEqual(parseReplayFilter({ 'quarantine-reason': 'invalid_json', 'message-id': 'm-1', since: '2026-11-30' }), {
      reason: 'invalid_json',
      messageId: 'm-1',
      since: new Date('2026-11-30T00:00:00.000Z'),
    });
    assert.equal(parseReplayFilter({ 'quarantine-reason': 'not_an_object', since: '2026-11-30T14:00+01:00' }).since?.toISOString(), '2026-11-30T13:00:00.000Z');
  });

  it('refuses an unknown reason, a malformed message id, and a date that is not one or a time without its zone', () => {
    usage(['--reason', 'x'], /^--quarantine-reason is required: one of invalid_json, not_an_object, schema_violation, rejected_by_database$/);
    usage(['--quarantine-reason', 'too_late', '--reason', 'x'], /^--quarantine-reason "too_late": expected one of invalid_json, not_an_object, schema_violation, rejected_by_database$/);
    for (const id of ['', 'a b', 'x'.repeat(129), 'é']) usage({ 'quarantine-reason': 'invalid_json', 'message-id': id }, /^--message-id takes a message id/);
    for (const since of ['yesterday', '2026-02-30', '2026-13-01', '2026-11-30T14:00', '30/11/2026', '']) {
      usage({ 'quarantine-reason': 'invalid_json', since }, /^--since takes a date \(2026-11-30, UTC\) or a date and time with its zone/);
    }
  });

  it('the operator tools use the DB_* settings when DB_HOST or DB_SECRET_ARN is set and DATABASE_URL is not', () => {
    assert.equal(operatorDatabase({ DB_HOST: 'proxy.example', DB_USER: 'login_etl_op_alice' }), 'settings');
    assert.equal(operatorDatabase({ DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' }), 'settings');
    assert.equal(operatorDatabase({ DATABASE_URL: 'postgres://h/db', DB_HOST: 'proxy.example' }), 'local');
    assert.equal(operatorDatabase({ DATABASE_URL: '', DB_HOST: 'proxy.example' }), 'settings');
    assert.equal(operatorDatabase({}), 'local');
  });

  it("a replayed record seals at most as many values under its body's key as the pipeline lets one record seal", () => {
    const lease = sealsOfOneRecord('dek-1');
    for (let i = 0; i < SEALS_PER_RECORD; i += 1) lease.take();
    assert.throws(() => lease.take(), DataKeyLimitError);
  });
});
