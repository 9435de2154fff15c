import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RowRejectedError } from '../../../lambda/errors.js';
import { Tokenizer } from '../../../lambda/masking/tokenize.js';
import { rejectedRow, sealingUnder, type PrepareContext } from '../../../lambda/pipeline/prepare-record.js';
import { sqsRecord } from '../../../tools/lib/sqs-event.js';
import { eventBridgeWrapped, snsWrapped } from '../../support/envelopes.js';

const tokenizer = new Tokenizer({ current: 'v1', keys: new Map([['v1', randomBytes(32)]]) });
const ctx: PrepareContext = { tokenizer, ...sealingUnder(randomBytes(32), 1), now: new Date() };
const login = { user_id: 'u-refused', app_version: '2.3.0', device_type: 'ios', ip: '10.9.8.7', locale: 'en', device_id: 'd-1' };
const refused = new RowRejectedError('23514', 'SQLSTATE 23514: the database refused the row (an integrity constraint)');

describe('the quarantine row of a login Postgres refused', () => {
  it('keeps the token of the login it carried, bare or inside an SNS or EventBridge envelope, so forget finds it', () => {
    const expected = tokenizer.token('user_id', login.user_id);
    for (const body of [JSON.stringify(login), snsWrapped(JSON.stringify(login)), eventBridgeWrapped(login)]) {
      const row = rejectedRow(sqsRecord(body, { messageId: 'm-1' }), refused, ctx);
      assert.equal(row.reason, 'rejected_by_database');
      assert.equal(row.userToken, expected, body.slice(0, 40));
      assert.match(row.preview, /"user_id":"u-refused"/);
      assert.doesNotMatch(row.preview, /10\.9\.8\.7|"d-1"/);
    }
  });
});
