import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lambda/config.js';
import { migrate } from '../../lambda/db/migrate.js';
import { migrations } from '../../lambda/db/migrations/index.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { provisionLocalPipelineLogin } from '../../tools/lib/local-logins.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const PARTITIONED = 21;

/** Every row, every column, in a stable order: what the conversion must keep. */
const CONTENTS = `SELECT to_jsonb(l) - 'create_date' AS row, create_date::text AS create_date FROM user_logins l ORDER BY message_id`;
/** Every grant on user_logins, table and column, as Postgres reports them. */
const GRANTS = `
  SELECT grantee, privilege_type, NULL AS column_name FROM information_schema.role_table_grants
  WHERE table_name = 'user_logins' AND grantee LIKE 'login_etl_%'
  UNION ALL
  SELECT grantee, privilege_type, column_name FROM information_schema.column_privileges
  WHERE table_name = 'user_logins' AND grantee LIKE 'login_etl_%'
    AND (grantee, privilege_type) NOT IN (SELECT grantee, privilege_type FROM information_schema.role_table_grants WHERE table_name = 'user_logins')
  ORDER BY 1, 2, 3`;

describe('migration 21 converts an existing user_logins into monthly partitions', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('partition_migration', { migrate: false });
  });
  after(async () => db.drop());

  it('keeps every row, column value, index and grant; fills a missing create_date; the write then runs on it', async () => {
    const admin = await db.pool.connect();
    try {
      await migrate(admin, migrations.filter((m) => m.version < PARTITIONED - 1));
      // Rows as the old layout's write made them, over three months (the current
      // code's write needs this migration's function, so they are inserted as it would)…
      await admin.query(`
        INSERT INTO user_logins (user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
                                 message_id, app_version_text, key_version, sent_at)
        SELECT 'user-' || (g % 7), 'ios', encode(sha256(('ip' || (g % 11))::bytea), 'hex'), encode(sha256(('dev' || g)::bytea), 'hex'),
               'FR', 2003000, (timestamptz '2026-08-03 10:00+00' + (g / 30) * interval '1 month')::date,
               'old-' || g, '2.3.0', 'v1', timestamptz '2026-08-03 10:00+00' + (g / 30) * interval '1 month'
        FROM generate_series(0, 86) g`);
      // …and legacy rows loaded by hand: one with no create_date, one from long ago.
      await admin.query(`INSERT INTO user_logins (user_id, message_id, sent_at, create_date) VALUES
        ('legacy-a', 'legacy-a', '2024-02-29 23:30:00+00', NULL), ('legacy-b', 'legacy-b', NULL, '2021-07-04')`);
      await admin.query(`UPDATE user_logins SET ingested_at = '2024-03-01 00:10:00+00' WHERE message_id = 'legacy-a'`);
      const rowsBefore = (await admin.query(CONTENTS)).rows;
      const grantsBefore = (await admin.query(GRANTS)).rows;
      const indexesBefore = (await admin.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'user_logins' ORDER BY 1`)).rows;
      assert.equal(rowsBefore.length, 89);

      const result = await migrate(admin);
      const pipelineUrl = await provisionLocalPipelineLogin(admin, db.adminUrl);
      assert.ok(result.applied.includes('021_partition_user_logins'), result.applied.join());

      const kind = await admin.query(`SELECT relkind FROM pg_class WHERE oid = 'user_logins'::regclass`);
      assert.equal(kind.rows[0].relkind, 'p', 'user_logins is partitioned');
      const rowsAfter = (await admin.query(CONTENTS)).rows;
      assert.deepEqual(rowsAfter.map((r) => r.row), rowsBefore.map((r) => r.row), 'every row and value kept');
      const filled = rowsAfter.find((r) => r.row.message_id === 'legacy-a');
      assert.equal(filled?.create_date, '2024-02-29', 'a missing create_date is the UTC date of sent_at');
      assert.deepEqual(
        rowsAfter.filter((r) => r.row.message_id !== 'legacy-a').map((r) => r.create_date),
        rowsBefore.filter((r) => r.row.message_id !== 'legacy-a').map((r) => r.create_date),
      );

      const grantsAfter = (await admin.query(GRANTS)).rows;
      const added = { grantee: 'login_etl_writer', privilege_type: 'SELECT', column_name: 'create_date' };
      assert.deepEqual(grantsAfter, [...grantsBefore, added].sort((a, b) =>
        `${a.grantee} ${a.privilege_type} ${a.column_name ?? ''}`.localeCompare(`${b.grantee} ${b.privilege_type} ${b.column_name ?? ''}`)),
        'the same grants, and the writer may read the conflict target');

      const indexesAfter = (await admin.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'user_logins' ORDER BY 1`)).rows;
      assert.deepEqual(indexesAfter.map((r) => r.indexname), indexesBefore.map((r) => r.indexname), 'every index, by name');
      assert.match(indexesAfter.find((r) => r.indexname === 'user_logins_message_id_key')?.indexdef ?? '', /UNIQUE .*\(message_id, create_date\)/);
      const perPartition = await admin.query(`
        SELECT c.relname AS part, count(i.indexrelid)::int AS n
        FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid LEFT JOIN pg_index i ON i.indrelid = c.oid
        WHERE h.inhparent = 'user_logins'::regclass GROUP BY 1 ORDER BY 1`);
      assert.ok(perPartition.rows.length >= 8, 'the default partition, the months of the rows and those around today');
      for (const p of perPartition.rows) assert.equal(p.n, indexesBefore.length, `${p.part} has every index`);
      const parts = perPartition.rows.map((r) => r.part);
      for (const month of ['user_logins_p202107', 'user_logins_p202402', 'user_logins_p202608', 'user_logins_p202610', 'user_logins_default']) {
        assert.ok(parts.includes(month), month);
      }
      const routed = await admin.query(`SELECT DISTINCT tableoid::regclass::text AS part FROM user_logins WHERE message_id = 'legacy-b'`);
      assert.deepEqual(routed.rows, [{ part: 'user_logins_p202107' }]);

      // The pipeline's write on the converted table: a redelivery is still absorbed, a new batch lands.
      const after = new LoginEtl(loadConfig(testEnv(pipelineUrl)));
      try {
        const event = sqsEvent(sampleBodies.slice(0, 5), { idPrefix: 'new' });
        assert.equal((await after.process(event)).counts.written, 5);
        assert.equal((await after.process(event)).counts.duplicate, 5);
      } finally {
        await after.close();
      }
    } finally {
      admin.release();
    }
  });
});
