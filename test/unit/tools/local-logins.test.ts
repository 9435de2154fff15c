import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { localLoginPassword, localLoginsDir, localOperatorName, loginUrl } from '../../../tools/lib/local-logins.js';
import { scramSha256Verifier } from '../../../tools/lib/scram-verifier.js';

describe('local logins', () => {
  it('one password per login, made once however many processes ask at once, mode 0600, no stray files', async () => {
    const login = `login_etl_op_t${randomBytes(4).toString('hex')}`;
    try {
      const passwords = await Promise.all(Array.from({ length: 16 }, () => localLoginPassword(login)));
      assert.equal(new Set(passwords).size, 1);
      assert.match(passwords[0] ?? '', /^[A-Za-z0-9_-]{32}$/);
      assert.equal(statSync(path.join(localLoginsDir(), `${login}.password`)).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(localLoginsDir()).filter((f) => f.startsWith(login)), [`${login}.password`]);
    } finally {
      rmSync(path.join(localLoginsDir(), `${login}.password`), { force: true });
    }
  });

  it('derives a login URL from the admin one: same server, database and parameters', () => {
    const url = loginUrl('postgres://postgres:secret@127.0.0.1:5433/login_etl?sslmode=verify-full', 'login_etl_pipeline', 'p/w:@x');
    const u = new URL(url);
    assert.deepEqual([u.username, decodeURIComponent(u.password), u.host, u.pathname, u.search], [
      'login_etl_pipeline', 'p/w:@x', '127.0.0.1:5433', '/login_etl', '?sslmode=verify-full',
    ]);
  });

  it("names the local operator after the OS user, as a valid operator name", () => {
    assert.equal(localOperatorName({ USER: 'dave' }), 'dave');
    assert.equal(localOperatorName({ USER: 'Dave.Smith-2' }), 'dave_smith_2');
    assert.equal(localOperatorName({ USER: '1001' }), 'local');
  });

  it('sends the server a SCRAM-SHA-256 verifier, never the password, and refuses what SASLprep would change', () => {
    const verifier = scramSha256Verifier('Correct-Horse-Battery-9', Buffer.alloc(16, 1));
    assert.match(verifier, /^SCRAM-SHA-256\$4096:AQEBAQEBAQEBAQEBAQEBAQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    assert.equal(verifier.includes('Correct-Horse'), false);
    assert.throws(() => scramSha256Verifier('pässwörd-with-umlauts'), /printable ASCII/);
  });
});
