import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { writeArguments } from '../../lambda/db/login-store.js';
import {
  DATA_KEY_WRITE,
  LOGIN_WRITE,
  QUARANTINE_WRITE,
  WRITE_ARGUMENTS,
  WRITE_FUNCTION,
  WRITE_PARAMETERS,
  type TableWrite,
  type WriteValue,
} from '../../lambda/db/write-spec.js';
import { QuarantineReason } from '../../lambda/errors.js';
import type { DataKeyRef, LoginRow, QuarantineRow, WriteSet } from '../../lambda/pipeline/types.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The write's specification (write-spec.ts) against the database's own
 * description of it: the write function's signature (pg_proc), the types of
 * the columns it names (the catalog), and what a call really stores where.
 * Every value below is distinct, so a parameter the specification puts in
 * the wrong place or fills from the wrong field shows up as a column that
 * does not hold what the specification says it holds.
 */
const dataKey: DataKeyRef = { id: randomUUID(), kekId: 'local:spec', wrapped: Buffer.from('wrapped key') };
const login: LoginRow = {
  messageId: 'spec-login',
  userId: 'spec-user',
  deviceType: 'spec-device-type',
  maskedIp: 'a'.repeat(64),
  maskedDeviceId: 'b'.repeat(64),
  locale: 'spec-locale',
  appVersion: 1_002_003,
  appVersionText: '1.2.3',
  createDate: '2024-02-03',
  sentAt: '2024-02-03T04:05:06.789Z',
  keyVersion: 'v7',
  piiSealed: Buffer.from('sealed originals'),
};
const quarantined: QuarantineRow = {
  messageId: 'spec-quarantined',
  reason: QuarantineReason.InvalidJson,
  detail: 'spec detail',
  preview: '{"spec":true}',
  userToken: 'c'.repeat(64),
  bodyNonce: Buffer.from('body nonce12'),
  bodyCiphertext: Buffer.from('body sealed'),
  keyVersion: 'v6',
  sentAt: new Date('2024-01-02T03:04:05.678Z'),
  receiveCount: 4,
};
const set: WriteSet = { dataKey, logins: [login], quarantine: [quarantined] };

/** The SQL type a parameter of the given spec type has, as the catalog names it. */
const parameterType = (p: (typeof WRITE_PARAMETERS)[number]): string => (p.source === 'dataKey' ? p.type : `${p.type}[]`);

describe('the write specification matches the database', () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase('write_spec');
  });
  after(async () => {
    await db?.drop();
  });

  it("gives the write function's parameters in its signature's order and types", async () => {
    const { rows } = await db.pool.query<{ expected: string[]; actual: string[] }>(
      `SELECT ARRAY(SELECT format_type(t::regtype, NULL) FROM unnest($2::text[]) AS t) AS expected,
              ARRAY(SELECT format_type(a, NULL) FROM unnest(p.proargtypes) WITH ORDINALITY AS x(a, n) ORDER BY n) AS actual
       FROM pg_proc p WHERE p.proname = $1`,
      [WRITE_FUNCTION, WRITE_PARAMETERS.map(parameterType)],
    );
    assert.equal(rows.length, 1, `${WRITE_FUNCTION} exists once`);
    assert.deepEqual(rows[0]?.actual, rows[0]?.expected);
  });

  it("replay's function takes the write's parameters first", async () => {
    const { rows } = await db.pool.query<{ expected: string[]; actual: string[] }>(
      `SELECT ARRAY(SELECT format_type(t::regtype, NULL) FROM unnest($1::text[]) AS t) AS expected,
              ARRAY(SELECT format_type(a, NULL) FROM unnest(p.proargtypes) WITH ORDINALITY AS x(a, n)
                    WHERE n <= cardinality($1::text[]) ORDER BY n) AS actual
       FROM pg_proc p WHERE p.proname = 'login_etl_replay_v2'`,
      [WRITE_PARAMETERS.map(parameterType)],
    );
    assert.deepEqual(rows[0]?.actual, rows[0]?.expected);
  });

  it('names columns that exist, with the types it sends them as', async () => {
    for (const write of [DATA_KEY_WRITE, QUARANTINE_WRITE, LOGIN_WRITE] as TableWrite<never>[]) {
      const { rows } = await db.pool.query<{ column_name: string; type: string }>(
        `SELECT a.attname AS column_name, format_type(a.atttypid, NULL) AS type FROM pg_attribute a
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
        [write.table],
      );
      const types = new Map(rows.map((r) => [r.column_name, r.type]));
      for (const column of write.columns) assert.ok(types.has(column), `${write.table}.${column} exists`);
      const { rows: unique } = await db.pool.query<{ columns: string[] }>(
        `SELECT ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY n)::text[] AS columns
         FROM pg_index i WHERE i.indrelid = $1::regclass AND (i.indisunique OR i.indisprimary)`,
        [write.table],
      );
      assert.ok(
        unique.some((u) => u.columns.join() === write.conflictTarget.join()),
        `${write.table}'s conflict target (${write.conflictTarget.join(', ')}) is a unique index`,
      );
    }
    for (const p of WRITE_PARAMETERS) {
      const table = { dataKey: DATA_KEY_WRITE, quarantine: QUARANTINE_WRITE, logins: LOGIN_WRITE }[p.source].table;
      const { rows: typed } = await db.pool.query<{ same: boolean }>(
        `SELECT a.atttypid = $3::regtype AS same FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = $2`,
        [table, p.column, p.type === 'int' ? 'integer' : p.type],
      );
      assert.equal(typed[0]?.same, true, `${table}.${p.column} is ${p.type}`);
    }
  });

  it('a call stores each value in the column the specification names', async () => {
    const writer = new pg.Client({ connectionString: db.pipelineUrl });
    await writer.connect();
    try {
      await writer.query({ text: `SELECT * FROM ${WRITE_FUNCTION}(${WRITE_ARGUMENTS})`, values: writeArguments(set) });
    } finally {
      await writer.end();
    }
    const check = async <Row>(write: TableWrite<Row>, row: Row): Promise<void> => {
      const values: WriteValue[] = write.row(row, dataKey);
      const key = write.conflictTarget[0] as string;
      const keyValue = values[write.columns.indexOf(key)];
      for (const [i, column] of write.columns.entries()) {
        const { rows } = await db.pool.query<{ same: boolean }>(
          `SELECT ${column} IS NOT DISTINCT FROM $2 AS same FROM ${write.table} WHERE ${key} = $1`,
          [keyValue, values[i]],
        );
        assert.equal(rows.length, 1, `${write.table} holds the row with ${key} ${String(keyValue)}`);
        assert.equal(rows[0]?.same, true, `${write.table}.${column} holds what the specification fills it with`);
      }
    };
    await check(DATA_KEY_WRITE, dataKey);
    await check(QUARANTINE_WRITE, quarantined);
    await check(LOGIN_WRITE, login);
  });
});
