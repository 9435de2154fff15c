import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { joinOriginals, PII_FIELDS } from '../../../lambda/record/pii-fields.js';
import { RowSealer, rowSealKeys } from '../../../lambda/vault/row-seal.js';
import { seal, VaultAuthenticationError } from '../../../lambda/vault/seal.js';
import { openOriginals, parseOriginals, sealOriginals, type OriginalsRow } from '../../../lambda/vault/sealed-originals.js';

const dekId = '0e5c7f0a-8a5b-4f7e-9e1a-0b6f4a2c9d11';
const dataKey = randomBytes(32);
const values = ['203.0.113.9', 'dev-42'];
const row = (messageId: string, stored: Buffer): OriginalsRow => ({ messageId, dekId, tokens: new Map(), stored: parseOriginals(stored) });
const byKind = new Map(PII_FIELDS.map((f, i) => [f.kind, values[i]]));

describe('pii_sealed', () => {
  it('opens a row seal, as the pipeline writes it, only as its own message', () => {
    const sealer = new RowSealer(rowSealKeys(dataKey), 1);
    const stored = sealOriginals(sealer, values, 'm-1');
    assert.equal(parseOriginals(stored).form, 'row_seal');
    assert.deepEqual(openOriginals(row('m-1', stored), new Map([[dekId, dataKey]])), byKind);
    assert.throws(() => openOriginals(row('m-2', stored), new Map([[dekId, dataKey]])), VaultAuthenticationError);
    assert.throws(() => openOriginals(row('m-1', stored), new Map([[dekId, randomBytes(32)]])), VaultAuthenticationError);
  });

  it('still opens the one AES-256-GCM seal rows were written with before row seals', () => {
    const { nonce, ciphertext } = seal(dataKey, Buffer.from(joinOriginals(values), 'utf8'), 'login:m-1');
    const stored = Buffer.concat([Buffer.of(1), nonce, ciphertext]);
    assert.equal(parseOriginals(stored).form, 'one_seal');
    assert.deepEqual(openOriginals(row('m-1', stored), new Map([[dekId, dataKey]])), byKind);
    assert.throws(() => openOriginals(row('m-2', stored), new Map([[dekId, dataKey]])), VaultAuthenticationError);
  });

  it('refuses an unknown form as an authentication failure', () => {
    assert.throws(() => parseOriginals(Buffer.of(9, 1, 2, 3)), VaultAuthenticationError);
  });
});
