import assert from 'node:assert/strict';
import { createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { openRowSeal, RowSealer, rowSealKeys } from '../../../lambda/vault/row-seal.js';
import { VaultAuthenticationError } from '../../../lambda/vault/seal.js';

const PREFIX = 7;
const dataKey = randomBytes(32);
const keys = rowSealKeys(dataKey);
const flip = (b: Buffer, at: number): Buffer => {
  const copy = Buffer.from(b);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
};
const fixedBase = (hex: string) => (b: Buffer) => {
  Buffer.from(hex, 'hex').copy(b);
  return b;
};
const counterOf = (sealed: Buffer): bigint => BigInt(`0x${sealed.subarray(1, 17).toString('hex')}`);

describe('row seals (AES-256-CTR then HMAC-SHA-256, one keystream per chunk)', () => {
  it('opens each row alone, across keystream refills, with any text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 120 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (values, expected) => {
        const sealer = new RowSealer(keys, expected);
        const sealed = values.map((v, i) => sealer.seal(v, `login:m-${i}`, PREFIX));
        sealed.forEach((s, i) => {
          assert.equal(s[0], PREFIX);
          assert.equal(openRowSeal(keys, s, `login:m-${i}`).toString('utf8'), values[i]);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('gives no two rows a counter block in common, however the random start wraps', () => {
    for (const base of ['ffffffffffffffffffffffffffffffff', '0000000000000000fffffffffffffff0', '000000000000000000000000fffffffe']) {
      const sealer = new RowSealer(keys, 2, fixedBase(base));
      const values = ['', 'a', 'x'.repeat(16), 'y'.repeat(17), 'z'.repeat(70), '10.0.0.1\u0000d-1'];
      const sealed = values.map((v, i) => sealer.seal(v, `login:${i}`, PREFIX));
      const ranges = sealed.map((s, i) => ({ from: counterOf(s), blocks: BigInt(Math.max(1, Math.ceil(Buffer.byteLength(values[i] as string) / 16))) }));
      const used = new Set<bigint>();
      for (const { from, blocks } of ranges) {
        for (let b = 0n; b < blocks; b += 1n) {
          const block = (from + b) % 2n ** 128n;
          assert.equal(used.has(block), false, `counter block ${block.toString(16)} used twice (start ${base})`);
          used.add(block);
        }
      }
      sealed.forEach((s, i) => assert.equal(openRowSeal(keys, s, `login:${i}`).toString('utf8'), values[i]));
    }
  });

  it('is the Tink AES-CTR-HMAC layout under keys derived from the data key, and no plaintext shows', () => {
    const derived = (label: string) => Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), `login-etl row seal v1: ${label}`, 32));
    const value = '199.172.111.135\u0000685-35-0318';
    const context = 'login:0e5c7f0a-8a5b-4f7e-9e1a-0b6f4a2c9d11';
    const sealed = new RowSealer(keys, 1).seal(value, context, PREFIX);
    const iv = sealed.subarray(1, 17);
    const ciphertext = sealed.subarray(17, sealed.length - 16);
    // The AAD is the form byte, then the context.
    const aad = Buffer.concat([Buffer.of(PREFIX), Buffer.from(context)]);
    const aadBits = Buffer.alloc(8);
    aadBits.writeBigUInt64BE(BigInt(aad.length * 8));
    const tag = createHmac('sha256', derived('HMAC-SHA-256')).update(Buffer.concat([aad, iv, ciphertext, aadBits])).digest();
    assert.deepEqual(sealed.subarray(sealed.length - 16), tag.subarray(0, 16));
    const decipher = createDecipheriv('aes-256-ctr', derived('AES-256-CTR'), iv);
    assert.equal(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8'), value);
    assert.equal(sealed.includes(Buffer.from('199.172')), false);
    assert.equal(sealed.includes(Buffer.from('685-35')), false);
  });

  it('seals equal values differently, row after row and chunk after chunk', () => {
    const a = new RowSealer(keys, 10);
    const b = new RowSealer(keys, 10);
    const all = [a.seal('10.0.0.1', 'c', PREFIX), a.seal('10.0.0.1', 'c', PREFIX), b.seal('10.0.0.1', 'c', PREFIX)];
    assert.equal(new Set(all.map((s) => s.toString('hex'))).size, 3);
  });

  it('refuses every alteration (its form byte too), another context and another key with an authentication error, never garbage', () => {
    const sealed = new RowSealer(keys, 1).seal('10.1.2.3\u0000dev-9', 'login:m-1', PREFIX);
    const cases: [string, () => Buffer][] = [
      ['the form byte', () => openRowSeal(keys, flip(sealed, 0), 'login:m-1')],
      ['an IV bit', () => openRowSeal(keys, flip(sealed, 1), 'login:m-1')],
      ['a ciphertext bit', () => openRowSeal(keys, flip(sealed, 18), 'login:m-1')],
      ['a tag bit', () => openRowSeal(keys, flip(sealed, sealed.length - 1), 'login:m-1')],
      ['another row', () => openRowSeal(keys, sealed, 'login:m-2')],
      ['another key', () => openRowSeal(rowSealKeys(randomBytes(32)), sealed, 'login:m-1')],
      ['a truncated value', () => openRowSeal(keys, sealed.subarray(0, 20), 'login:m-1')],
      ['a dropped byte', () => openRowSeal(keys, Buffer.concat([sealed.subarray(0, 18), sealed.subarray(19)]), 'login:m-1')],
    ];
    for (const [what, attempt] of cases) assert.throws(attempt, VaultAuthenticationError, what);
  });

  it('seals nothing once disposed: a wiped keystream would store the plaintext', () => {
    const sealer = new RowSealer(keys, 4);
    sealer.seal('a', 'c', PREFIX);
    sealer.dispose();
    assert.throws(() => sealer.seal('10.0.0.1', 'c', PREFIX), /after dispose/);
  });
});
