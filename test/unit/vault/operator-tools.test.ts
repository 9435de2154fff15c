import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../tools/lib/cli.js';
import { parseCommandLine } from '../../../tools/lib/command-line.js';
import { unmask } from '../../../tools/lib/commands/operator.js';
import { operatorContext, requireReason, resolveOperator } from '../../../tools/lib/pii/operator-context.js';
import { formatForget, formatUnmask, printable } from '../../../tools/lib/pii/output.js';
import { parseSubject } from '../../../tools/lib/pii/subject.js';
import type { UnmaskResult } from '../../../tools/lib/pii/unmask.js';

const token = 'ab'.repeat(32);

describe('operator context', () => {
  it('takes --operator, else the OS user', () => {
    assert.equal(resolveOperator('alice', { USER: 'root' }), 'alice');
    assert.equal(resolveOperator(undefined, { USER: 'bob' }), 'bob');
    assert.equal(resolveOperator(undefined, { LOGNAME: 'carol' }), 'carol');
    assert.throws(() => resolveOperator('  ', {}), UsageError);
    assert.throws(() => resolveOperator('eve\u001b[2K', {}), UsageError);
  });

  it('requires a reason, on one line, without an ip in it', () => {
    assert.throws(() => operatorContext({}, { USER: 'a' }), /--reason is required/);
    assert.throws(() => requireReason('   '), UsageError);
    assert.throws(() => requireReason('line one\nline two'), UsageError);
    assert.throws(() => requireReason('user at 10.1.2.3 complained'), /IP address/);
    assert.throws(() => requireReason('user at 2001:db8::7 complained'), /IP address/);
    assert.equal(requireReason('  SUP-1234, 10:30 call  '), 'SUP-1234, 10:30 call');
  });
});

describe('unmask subject', () => {
  it('is exactly one of the three, tokens checked and lower-cased', () => {
    assert.deepEqual(parseSubject({ 'masked-ip': token.toUpperCase() }), { kind: 'ip', token });
    assert.deepEqual(parseSubject({ 'masked-device-id': token }), { kind: 'device_id', token });
    assert.deepEqual(parseSubject({ 'user-id': ' u 1' }), { kind: 'user', userId: ' u 1' }, 'user ids are not trimmed');
    const exactlyOne = { name: 'UsageError', message: 'give exactly one of --masked-ip <token>, --masked-device-id <token>, --user-id <id>' };
    assert.throws(() => parseCommandLine(unmask, ['--reason', 'x']), exactlyOne);
    assert.throws(() => parseCommandLine(unmask, ['--masked-ip', token, '--user-id', 'u', '--reason', 'x']), exactlyOne);
    assert.throws(() => parseSubject({ 'masked-ip': '1.2.3.4' }), /64 hex characters/);
  });
});

describe('what the tools print', () => {
  it('escapes what a terminal would interpret', () => {
    assert.equal(printable('593-47-5928'), '593-47-5928');
    assert.equal(printable('a\u001b]0;pwned\u0007b'), '"a\\u001b]0;pwned\\u0007b"');
    assert.equal(printable('abc\u202edcba'), '"abc\\u202edcba"');
    assert.equal(printable('has space "q" \\'), '"has space \\"q\\" \\\\"');
  });

  const base: UnmaskResult = {
    outcome: 'ok',
    subject: { kind: 'user', userId: 'u1' },
    values: [],
    missing: [],
    erasedAt: null,
    erasedRows: 0,
    auditId: '7',
  };

  it('puts values on stdout only, notes on stderr, and exits by outcome', () => {
    const ok = formatUnmask({
      ...base,
      values: [{ kind: 'ip', token, keyVersion: 'v1', value: '10.0.0.1', rows: 2 }],
      erasedRows: 1,
      erasedAt: new Date('2026-11-02T10:00:00Z'),
    });
    assert.equal(ok.exitCode, 0);
    assert.equal(ok.stdout, `ip         10.0.0.1  masked_ip=${token}  key=v1  rows=2\n`);
    assert.equal(ok.stderr.includes('10.0.0.1'), false);
    assert.match(ok.stderr, /1 earlier login row\(s\) were erased on 2026-11-02T10:00:00.000Z/);
    assert.match(ok.stderr, /audit #7: ok, 1 value\(s\) shown/);

    const erased = formatUnmask({ ...base, outcome: 'erased', erasedAt: new Date('2026-11-02T10:00:00Z') });
    assert.deepEqual([erased.exitCode, erased.stdout], [3, '']);
    assert.match(erased.stderr, /^unmask: user u1: erased on 2026-11-02/);
    const missing = formatUnmask({ ...base, outcome: 'not_found', subject: { kind: 'ip', token } });
    assert.deepEqual([missing.exitCode, missing.stdout], [4, '']);
  });

  it('forget warns and exits 3 when quarantined bodies stay sealed', () => {
    const result = {
      userId: 'u1',
      erasedAt: new Date('2026-11-02T10:00:00Z'),
      auditId: '9',
      loginRows: 2,
      clearedRows: 2,
      shredded: { ip: 1, device_id: 2 },
      keptShared: 1,
      alreadyGone: 0,
      quarantine: { sealed: 1, shredded: 0, notPermitted: true },
    };
    const out = formatForget(result);
    assert.equal(out.exitCode, 3);
    assert.match(out.stderr, /1 quarantined message body naming this user could not be shredded/);
    assert.equal(formatForget({ ...result, quarantine: { sealed: 0, shredded: 0, notPermitted: false } }).exitCode, 0);
  });
});
