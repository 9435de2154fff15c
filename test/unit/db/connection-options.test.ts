import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../lambda/config.js';
import { buildPoolConfig } from '../../../lambda/db/connection-options.js';

const keys = { MASKING_KEYS: '{}', VAULT_KEK_FILE: '/k.json' };
const secret = { username: 'app', password: 'pw', host: 'db.internal', port: 5432, dbname: 'logins' };

describe('buildPoolConfig', () => {
  it('uses DATABASE_URL with timeouts shorter than any function timeout', () => {
    const c = buildPoolConfig(loadConfig({ ...keys, DATABASE_URL: 'postgres://u@h:5432/d' }).database);
    assert.equal(c.connectionString, 'postgres://u@h:5432/d');
    assert.equal(c.max, 1);
    assert.equal(c.connectionTimeoutMillis, 5_000);
    assert.equal(c.statement_timeout, 10_000);
    assert.equal(c.query_timeout, 11_000);
    assert.equal(c.ssl, undefined);
  });

  it('takes the RDS secret, with DB_HOST pointing at the proxy', () => {
    const db = loadConfig({ ...keys, DB_SECRET_ARN: 'arn:s', DB_HOST: 'proxy.example' }).database;
    const c = buildPoolConfig(db, secret);
    assert.deepEqual([c.host, c.port, c.database, c.user, c.password], ['proxy.example', 5432, 'logins', 'app', 'pw']);
  });

  it('verifies the server certificate against the shipped RDS and Amazon root CAs', () => {
    const db = loadConfig({ ...keys, DB_SECRET_ARN: 'arn:s', DB_SSL: 'verify-full' }).database;
    const ssl = buildPoolConfig(db, secret).ssl;
    assert.ok(ssl && typeof ssl === 'object');
    assert.equal(ssl.rejectUnauthorized, true);
    assert.ok(Array.isArray(ssl.ca) && ssl.ca.length > 100, 'CA bundle present');
  });

  it('has no DB_SSL mode that encrypts without verifying: "require" is a configuration error naming DB_SSL', () => {
    assert.throws(
      () => loadConfig({ ...keys, DB_SECRET_ARN: 'arn:s', DB_SSL: 'require' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'DB_SSL' && /would not verify the server's certificate: use verify-full/.test(e.message),
    );
    for (const mode of ['disable', 'verify-full'] as const) {
      const ssl = buildPoolConfig(loadConfig({ ...keys, DB_SECRET_ARN: 'arn:s', DB_SSL: mode }).database, secret).ssl;
      assert.ok(ssl === undefined || (typeof ssl === 'object' && ssl.rejectUnauthorized === true), `${mode}: off, or verified`);
    }
  });

  it('lets an sslmode in DATABASE_URL win (node-postgres verifies require and verify-full alike)', () => {
    const db = loadConfig({ ...keys, DATABASE_URL: 'postgres://u@h/d?sslmode=require', DB_SSL: 'verify-full' }).database;
    assert.equal(buildPoolConfig(db).ssl, undefined);
  });

  it('signs IAM tokens instead of using the password when asked', async () => {
    const db = loadConfig({ ...keys, DB_SECRET_ARN: 'arn:s', DB_IAM_AUTH: 'true', AWS_REGION: 'us-east-1' }).database;
    const c = buildPoolConfig(db, secret, async () => 'token-123');
    assert.equal(typeof c.password, 'function');
    assert.equal(await (c.password as () => Promise<string>)(), 'token-123');
  });
});
