import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { DATA_KEY_MAX_AGE_MS, DATA_KEY_USES_CAP, DataKeyCache, DataKeyLimitError } from '../../../lambda/vault/data-key-cache.js';
import { LocalKek } from '../../../lambda/vault/key-encryption-key.js';
import { openRowSeal, RowSealer, rowSealKeys } from '../../../lambda/vault/row-seal.js';

const kek = () => new LocalKek('local-test', randomBytes(32));

describe('DataKeyCache', () => {
  it('keeps no plaintext data key once its keys are derived: the buffer the KEK handed over is wiped, the lease still seals', async () => {
    const local = kek();
    let handed: Buffer | undefined;
    let copy: Buffer | undefined;
    const spy = Object.assign(Object.create(local) as LocalKek, {
      async generateDataKey(id: string) {
        const key = await local.generateDataKey(id);
        handed = key.plaintext;
        copy = Buffer.from(key.plaintext);
        return key;
      },
    });
    const lease = await new DataKeyCache(spy, 10).acquire(2);
    assert.ok(handed && copy);
    assert.equal(handed.every((b) => b === 0), true, 'the plaintext data key is wiped');
    const sealed = new RowSealer(lease.rowKeys, 1).seal('10.0.0.1', 'login:m', 2);
    assert.equal(openRowSeal(rowSealKeys(copy), sealed, 'login:m').toString(), '10.0.0.1');
  });

  it('never lets one key seal more than maxUses values: a lease refuses a seal past what it reserved', async () => {
    const cache = new DataKeyCache(kek(), 10);
    const lease = await cache.acquire(2);
    lease.take();
    lease.take();
    assert.throws(() => lease.take(), DataKeyLimitError);
    await assert.rejects(cache.acquire(11), RangeError, 'no lease larger than a key');
  });

  it('counts what was sealed, not what was reserved: unused uses go back on release', async () => {
    const cache = new DataKeyCache(kek(), 10);
    const first = await cache.acquire(6);
    first.take();
    first.take();
    first.release();
    assert.throws(() => first.take(), DataKeyLimitError, 'a released lease seals nothing more');
    const second = await cache.acquire(8);
    assert.equal(second.id, first.id, '2 sealed + 8 reserved fit the same key');
    const third = await cache.acquire(1);
    assert.notEqual(third.id, first.id, 'the 11th use needs a new key');
    assert.equal(third.dataKey, (await cache.acquire(0)).dataKey, 'leases on one key share its key object');
  });

  it('refuses a limit above 2^30 or below one record’s seals', () => {
    assert.throws(() => new DataKeyCache(kek(), DATA_KEY_USES_CAP + 1), RangeError);
    assert.throws(() => new DataKeyCache(kek(), 1), RangeError);
    assert.ok(new DataKeyCache(kek(), DATA_KEY_USES_CAP));
  });
});

describe('DataKeyCache age', () => {
  it('takes a new key once the current one is DATA_KEY_MAX_AGE_MS old, whatever uses it has left', async () => {
    let clock = 1_000_000;
    const cache = new DataKeyCache(kek(), 1_000, () => clock);
    const first = await cache.acquire(2);
    clock += DATA_KEY_MAX_AGE_MS - 1;
    assert.equal((await cache.acquire(2)).id, first.id, 'younger than the limit: the same key');
    clock += 1;
    assert.notEqual((await cache.acquire(2)).id, first.id, 'at the limit: a new key');
  });
});
