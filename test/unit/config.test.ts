import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chosenVariable, ConfigError, loadConfig } from '../../lambda/config.js';
import { METRIC_NAMESPACE_DEFAULT, SERVICE_NAME_DEFAULT } from '../../lambda/observability/metric-names.js';
import { UsageError } from '../../tools/lib/cli.js';
import { keyringSource } from '../../tools/lib/pii/keyring-source.js';

const minimal = { DATABASE_URL: 'postgres://u@127.0.0.1/db', MASKING_KEYS: '{}', VAULT_KEK_FILE: '/k.json' };

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig(minimal);
    assert.equal(c.database.poolMax, 1);
    assert.equal(c.database.ssl, 'disable');
    assert.equal(c.throwOnFullBatchFailure, true);
    assert.equal(c.metricsNamespace, 'LoginEtl');
    assert.ok(c.database.statementTimeoutMs < 900_000);
  });

  it('names the bad variable', () => {
    assert.throws(() => loadConfig({ ...minimal, DB_POOL_MAX: 'lots' }), (e: unknown) => e instanceof ConfigError && e.variable === 'DB_POOL_MAX');
    assert.throws(() => loadConfig({ ...minimal, DB_SSL: 'maybe' }), /DB_SSL/);
    assert.throws(() => loadConfig({ ...minimal, DATABASE_URL: 'not a url' }), /DATABASE_URL/);
    assert.throws(() => loadConfig({ ...minimal, THROW_ON_FULL_BATCH_FAILURE: 'perhaps' }), /THROW_ON_FULL_BATCH_FAILURE/);
  });

  it('requires exactly one source for each key', () => {
    const { MASKING_KEYS: _m, ...noKeys } = minimal;
    assert.throws(() => loadConfig(noKeys), /MASKING_KEYS \| MASKING_KEYS_FILE \| MASKING_SECRET_ARN is not set/);
    assert.throws(() => loadConfig({ ...minimal, MASKING_SECRET_ARN: 'arn:x' }), /MASKING_KEYS \+ MASKING_SECRET_ARN are both set/);
    assert.throws(() => loadConfig({ ...minimal, VAULT_KMS_KEY_ID: 'alias/x' }), /VAULT_KEK_FILE \+ VAULT_KMS_KEY_ID/);
    assert.throws(() => loadConfig({ ...minimal, DB_SECRET_ARN: 'arn:y' }), /DATABASE_URL \+ DB_SECRET_ARN/);
  });

  it('names the service and the metrics namespace as the stack\'s alarms expect', () => {
    const c = loadConfig(minimal);
    assert.equal(c.serviceName, SERVICE_NAME_DEFAULT);
    assert.equal(c.metricsNamespace, METRIC_NAMESPACE_DEFAULT);
  });

  it('treats empty variables as unset and parses flags', () => {
    const c = loadConfig({ ...minimal, DB_HOST: '', THROW_ON_FULL_BATCH_FAILURE: 'false' });
    assert.equal(c.database.host, undefined);
    assert.equal(c.throwOnFullBatchFailure, false);
  });

  it('unwraps envelopes unless UNWRAP_ENVELOPES says not to', () => {
    assert.equal(loadConfig(minimal).unwrapEnvelopes, true);
    assert.equal(loadConfig({ ...minimal, UNWRAP_ENVELOPES: 'false' }).unwrapEnvelopes, false);
    assert.equal(loadConfig({ ...minimal, UNWRAP_ENVELOPES: '0' }).unwrapEnvelopes, false);
    assert.throws(() => loadConfig({ ...minimal, UNWRAP_ENVELOPES: 'off' }), (e: unknown) => e instanceof ConfigError && e.variable === 'UNWRAP_ENVELOPES');
  });

  it('needs a region for IAM database auth', () => {
    assert.throws(() => loadConfig({ ...minimal, DB_IAM_AUTH: 'true' }), /AWS_REGION/);
    assert.equal(loadConfig({ ...minimal, DB_IAM_AUTH: 'true', AWS_REGION: 'eu-west-1' }).database.iamAuth, true);
  });

  it('caps VAULT_DATA_KEY_MAX_USES at 2^30, whatever is configured, and names the variable', () => {
    assert.equal(loadConfig(minimal).vault.dataKeyMaxUses, 100_000);
    assert.equal(loadConfig({ ...minimal, VAULT_DATA_KEY_MAX_USES: String(2 ** 30) }).vault.dataKeyMaxUses, 2 ** 30);
    for (const bad of [String(2 ** 30 + 1), '4294967296', '1e12', '1', '0', '-5', '1.5', 'lots']) {
      assert.throws(
        () => loadConfig({ ...minimal, VAULT_DATA_KEY_MAX_USES: bad }),
        (e: unknown) => e instanceof ConfigError && e.variable === 'VAULT_DATA_KEY_MAX_USES',
        bad,
      );
    }
    assert.throws(() => loadConfig({ ...minimal, VAULT_DATA_KEY_MAX_USES: String(2 ** 31) }), /must be at most 1073741824 \(2\^30\)/);
  });
});

describe('one variable per exclusive setting (chosenVariable), for the function and the tools alike', () => {
  it('is the variable set, none, or a ConfigError naming every one set', () => {
    assert.equal(chosenVariable('masking', { MASKING_KEYS_FILE: '/k' }), 'MASKING_KEYS_FILE');
    assert.equal(chosenVariable('vault', { VAULT_KMS_KEY_ID: 'alias/k', VAULT_KEK_FILE: '' }), 'VAULT_KMS_KEY_ID', 'empty is unset');
    assert.equal(chosenVariable('masking', {}), undefined);
    assert.throws(
      () => chosenVariable('masking', { MASKING_KEYS: '{}', MASKING_KEYS_FILE: '/k', MASKING_SECRET_ARN: 'arn:x' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'MASKING_KEYS + MASKING_KEYS_FILE + MASKING_SECRET_ARN',
    );
  });

  it('the operator tools refuse two keyrings in the same words, as a usage error', () => {
    assert.deepEqual(keyringSource({ MASKING_SECRET_ARN: 'arn:x' }), { kind: 'secret', arn: 'arn:x' });
    assert.deepEqual(keyringSource({ MASKING_KEYS_FILE: '/k', MASKING_SECRET_ARN: '' }), { kind: 'file', path: '/k', demo: false });
    assert.throws(
      () => keyringSource({ MASKING_KEYS: '{}', MASKING_SECRET_ARN: 'arn:x' }),
      (e: unknown) => e instanceof UsageError && e.message === 'MASKING_KEYS + MASKING_SECRET_ARN are both set: give the masking keyring one way only',
    );
  });
});
