import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PermanentRecordError, QuarantineReason } from '../../lambda/errors.js';
import { parseKeyring } from '../../lambda/masking/keyring.js';
import { Tokenizer } from '../../lambda/masking/tokenize.js';
import { prepareRecord, sealingUnder, type PrepareContext } from '../../lambda/pipeline/prepare-record.js';
import { parseLogin } from '../../lambda/record/parse-login.js';
import { sqsRecord } from '../../tools/lib/sqs-event.js';
import { envelopedBody, loginBody, nastyBodies } from './arbitraries.js';

const reasons = new Set<string>(Object.values(QuarantineReason));
const tokenizer = new Tokenizer(parseKeyring(JSON.stringify({ current: 'v1', v1: `base64:${randomBytes(32).toString('base64')}` }), 'test'));
const ctx = (): PrepareContext => ({ tokenizer, ...sealingUnder(randomBytes(32), 1), now: new Date() });

function assertTotal(body: string): void {
  const r = parseLogin(body);
  if (!r.ok) {
    assert.ok(r.error instanceof PermanentRecordError);
    assert.ok(reasons.has(r.error.reason), r.error.reason);
  }
  const prepared = prepareRecord(sqsRecord(body, { messageId: 'm-1' }), ctx());
  assert.equal(prepared.messageId, 'm-1');
  if (prepared.kind === 'quarantine') {
    const preview = prepared.row.preview;
    assert.doesNotThrow(() => JSON.parse(preview));
    assert.ok(!preview.includes('\u0000') && preview.isWellFormed(), 'preview is storable as jsonb');
  }
}

/** Neither the prepared row nor the quarantine row holds a realistic ip or device_id of the login in clear. */
function assertNoPiiLeak(body: string, m: Record<string, unknown>): void {
  const prepared = prepareRecord(sqsRecord(body, { messageId: 'm-2' }), ctx());
  const serialized = JSON.stringify(prepared, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
  // Fields stored in clear by design; a PII value that happens to equal
  // one of them (device_id "01.02.03.04" = app_version) is not a leak.
  const clear = ['user_id', 'app_version', 'device_type', 'locale'].map((f) => m[f]).filter((v) => typeof v === 'string');
  for (const field of ['ip', 'device_id']) {
    const value = m[field];
    // Short values ("1", "a") occur inside hex by chance; the real check is on realistic ones.
    if (typeof value !== 'string' || value.length < 6 || clear.some((c) => c.includes(value))) continue;
    assert.ok(!serialized.includes(value), `${field} leaked`);
  }
}

describe('fuzz: parsing and preparing never throw and always decide', () => {
  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), assertTotal), { numRuns: 500 });
  });

  it('arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => assertTotal(JSON.stringify(v) ?? 'null')), { numRuns: 500 });
  });

  it('login-shaped objects with hostile field values', () => {
    fc.assert(
      fc.property(loginBody(), (body) => {
        assertTotal(body);
        assertNoPiiLeak(body, JSON.parse(body) as Record<string, unknown>);
      }),
      { numRuns: 500 },
    );
  });

  it('the same, and any payload, inside SNS and EventBridge envelopes', () => {
    fc.assert(
      fc.property(envelopedBody(), (body) => {
        assertTotal(body);
        const parsed = parseLogin(body);
        assert.ok(parsed.envelope, 'opened as an envelope');
        if (!parsed.ok) assert.match(parsed.error.detail, /^(sns|eventbridge): /);
        const envelope = JSON.parse(body) as { Message?: string; detail?: unknown };
        let login: unknown = envelope.detail;
        try {
          login = envelope.Message === undefined ? login : JSON.parse(envelope.Message);
        } catch {
          login = undefined;
        }
        if (typeof login === 'object' && login !== null && !Array.isArray(login)) assertNoPiiLeak(body, login as Record<string, unknown>);
      }),
      { numRuns: 500 },
    );
  });

  it('hand-picked nasties', () => {
    for (const [name, body] of Object.entries(nastyBodies)) {
      assert.doesNotThrow(() => assertTotal(body), name);
    }
  });

  it('classifies the nasties as expected', () => {
    const reason = (b: string) => {
      const r = parseLogin(b);
      return r.ok ? 'ok' : r.error.reason;
    };
    assert.equal(reason(nastyBodies.nulByte as string), 'schema_violation');
    assert.equal(reason(nastyBodies.loneSurrogate as string), 'schema_violation');
    // V8 parses deep nesting iteratively: no stack overflow, just the wrong shape.
    assert.equal(reason(nastyBodies.deeplyNested as string), 'not_an_object');
    assert.equal(reason(nastyBodies.deeplyNestedObject as string), 'schema_violation');
    assert.equal(reason(nastyBodies.notAnObject as string), 'not_an_object');
    assert.equal(reason(nastyBodies.ipv6 as string), 'ok');
    assert.equal(reason(nastyBodies.ipv4Mapped as string), 'ok');
    assert.equal(reason(nastyBodies.leadingZeros as string), 'schema_violation');
    assert.equal(reason(nastyBodies.protoKeys as string), 'ok');
    assert.equal(reason(nastyBodies.sqlMetacharacters as string), 'ok');
    assert.equal(reason(nastyBodies.notALocale as string), 'schema_violation');
    assert.equal(reason(nastyBodies.freeTextDeviceType as string), 'schema_violation');
    assert.equal(reason(nastyBodies.duplicateKeys as string), 'ok');
    assert.equal(reason(nastyBodies.hugeBody as string), 'ok');
  });
});
