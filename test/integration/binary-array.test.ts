import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { binaryArray, type ElementType } from '../../lambda/db/binary-array.js';
import { ARRAY_PARAMETERS, WRITE_ARGUMENTS } from '../../lambda/db/write-spec.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The binary encoder against the server itself: for every element type the
 * batch write uses, an array sent in binary must read back exactly as the
 * same values sent the way pg sends them by default (an array literal, parsed
 * by the server's text input), and a value the server rejects in one form
 * must be rejected in the other with the same SQLSTATE.
 */
type Outcome = { ok: true; text: string | null } | { ok: false; code: string | undefined };

describe('binary array parameters, checked against Postgres text input', () => {
  let db: TestDatabase;
  let client: pg.Client;
  before(async () => {
    db = await createTestDatabase('binary_array', { migrate: false });
    client = new pg.Client({ connectionString: db.adminUrl });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await db.drop();
  });

  async function roundTrip(type: ElementType, value: unknown): Promise<Outcome> {
    // Read back as text so both forms are compared by the server's own output.
    const sql = `SELECT $1::${type}[]::text AS t`;
    try {
      const { rows } = await client.query<{ t: string | null }>(sql, [value]);
      return { ok: true, text: rows[0]?.t ?? null };
    } catch (error) {
      return { ok: false, code: (error as { code?: string }).code };
    }
  }

  async function assertSame(type: ElementType, values: readonly unknown[]): Promise<void> {
    const binary = binaryArray(type, values);
    const viaText = await roundTrip(type, values);
    if (binary === undefined) return; // left to the text form, which is what is sent then
    assert.deepEqual(await roundTrip(type, binary), viaText, `${type}[] ${JSON.stringify(values).slice(0, 200)}`);
  }

  const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 6 });
  const runs = { numRuns: 150 };

  it('varchar and text: ASCII, any Unicode, lone surrogates, NUL bytes, empty strings, NULLs', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 10 }),
      fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '"{},\\', 'NULL', ' '),
    );
    for (const type of ['varchar', 'text'] as const) {
      await fc.assert(fc.asyncProperty(fc.array(nullable(text), { maxLength: 12 }), (v) => assertSame(type, v)), runs);
    }
  });

  it('jsonb: any JSON document, and text that is not JSON', async () => {
    const doc = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.constantFrom('{"a":"\\u0000"}', '{"a":1,"a":2}', '{', '', '"\ud800"', '{"é":"ü"}', '1e400'),
    );
    await fc.assert(fc.asyncProperty(fc.array(nullable(doc), { maxLength: 8 }), (v) => assertSame('jsonb', v)), runs);
  });

  it('bytea: any bytes, empty, NULLs', async () => {
    const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
    await fc.assert(fc.asyncProperty(fc.array(nullable(bytes), { maxLength: 10 }), (v) => assertSame('bytea', v)), runs);
  });

  it('int: the whole int4 range and NULLs; out-of-range numbers fall back to text and fail the same way', async () => {
    const n = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2_147_483_647, -2_147_483_648));
    await fc.assert(fc.asyncProperty(fc.array(nullable(n), { maxLength: 10 }), (v) => assertSame('int', v)), runs);
    assert.equal(binaryArray('int', [2_147_483_648]), undefined);
    assert.equal(binaryArray('int', [1.5]), undefined);
    assert.equal((await roundTrip('int', [2_147_483_648])).ok, false);
  });

  it('date and timestamptz: every ISO value toISOString() gives, years 0001-9999, and NULLs', async () => {
    const instant = fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    await fc.assert(
      fc.asyncProperty(fc.array(nullable(instant.map((d) => d.toISOString())), { maxLength: 8 }), (v) => assertSame('timestamptz', v)),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(nullable(instant.map((d) => d.toISOString().slice(0, 10))), { maxLength: 8 }), (v) => assertSame('date', v)),
      runs,
    );
    // Session time zone must not matter: binary timestamptz is UTC by definition.
    await client.query("SET TIME ZONE 'Asia/Kathmandu'");
    await assertSame('timestamptz', ['2024-03-10T02:30:00.000Z', '1999-12-31T23:59:59.999Z']);
    await client.query('RESET TIME ZONE');
  });

  it('a value with no exact binary form (not a string, a year past 9999) is left to the text form', () => {
    assert.equal(binaryArray('varchar', ['a', 1]), undefined);
    assert.equal(binaryArray('date', ['+010000-01-01']), undefined);
    assert.equal(binaryArray('timestamptz', ['2024-01-01 00:00:00+00']), undefined);
    assert.equal(binaryArray('bytea', ['00ff']), undefined);
  });

  it("encodes every array parameter with the type the write's casts give it", () => {
    const types = ARRAY_PARAMETERS;
    assert.equal(types.size, 22, 'every parameter but the data key id, KEK id and wrapped key is an array');
    assert.equal(types.get(3), 'varchar', 'the quarantined message ids, first');
    assert.equal(types.get(6), 'jsonb', 'the previews');
    assert.equal(types.get(12), 'varchar', 'the quarantine user tokens');
    assert.equal(types.get(23), 'timestamptz', 'the logins sent times');
    assert.equal(types.get(24), 'bytea', 'the sealed originals, last');
    for (const [i, type] of types) assert.ok(WRITE_ARGUMENTS.includes(`$${i + 1}::${type}[]`), `$${i + 1} is cast to ${type}[]`);
  });
});
