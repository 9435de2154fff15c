/**
 * Times migration 21 (user_logins into monthly partitions) on a table of the
 * old layout, for docs/operations.md's duration per million rows:
 *
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/postgres npx tsx bench/partition-migration.ts [rows] [database]
 *
 * Creates (or re-creates) the database, applies the migrations before 21, loads `rows`
 * generated logins spread over 24 months (distinct message ids, repeated ips
 * and devices, a sealed blob per row), vacuums, then applies the rest of the migrations and prints
 * the time, the partitions and their size. The database is kept, partitioned,
 * for the EXPLAIN of the analytics queries; drop it by hand.
 */
import pg from 'pg';
import { migrate } from '../lambda/db/migrate.js';
import { migrations } from '../lambda/db/migrations/index.js';
import { withDatabase } from '../tools/lib/local-database.js';

const PARTITIONED = 21;
const serverUrl = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const rows = Number(process.argv[2] ?? 1_000_000);
const name = process.argv[3] ?? 'login_etl_partition_timing';

/** As the pipeline writes them since migration 14: one sealed blob per row (form byte, nonce, ciphertext, tag: ~80 bytes here) and its data key. */
const LOAD = `
INSERT INTO user_logins (user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
                         message_id, app_version_text, key_version, sent_at, pii_dek_id, pii_sealed)
SELECT 'user-' || (g % 50000), CASE WHEN g % 3 = 0 THEN 'ios' ELSE 'android' END,
       encode(sha256(('ip' || (g % 200000))::bytea), 'hex'), encode(sha256(('dev' || (g % 300000))::bytea), 'hex'),
       'en_US', 2003001, (t AT TIME ZONE 'UTC')::date, gen_random_uuid()::text, '2.3.1', 'v1', t,
       ('00000000-0000-4000-8000-00000000000' || (g % 10))::uuid,
       '\\x01'::bytea || sha256(('n' || g)::bytea) || sha256(('c' || g)::bytea) || substring(sha256(('t' || g)::bytea) from 1 for 16)
FROM generate_series(1, $1::int) g,
     LATERAL (SELECT date_trunc('month', now()) - interval '23 months' + (g % 730) * interval '1 day' + (g % 86400) * interval '1 second' AS t) s`;

async function main(): Promise<void> {
  const server = new pg.Client({ connectionString: serverUrl });
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server.query(`CREATE DATABASE ${name}`);
  await server.end();
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, name) });
  await client.connect();
  try {
    await migrate(client, migrations.filter((m) => m.version < PARTITIONED));
    const loading = Date.now();
    await client.query(LOAD, [rows]);
    await client.query('VACUUM ANALYZE user_logins');
    const before = await client.query(`SELECT pg_size_pretty(pg_total_relation_size('user_logins')) AS size`);
    console.log(`loaded ${rows} rows (${before.rows[0].size} with indexes) in ${Date.now() - loading} ms`);
    const started = Date.now();
    const result = await migrate(client, migrations, { statementTimeoutMs: 3_600_000 });
    const ms = Date.now() - started;
    const after = await client.query(`SELECT count(*) AS n, pg_size_pretty(sum(pg_total_relation_size(inhrelid))) AS size
                                      FROM pg_inherits WHERE inhparent = 'user_logins'::regclass`);
    console.log(`applied ${result.applied.join(', ')} in ${ms} ms: ${Math.round((ms * 1_000_000) / rows)} ms per million rows`);
    console.log(`${after.rows[0].n} partitions, ${after.rows[0].size} with indexes; database ${name} kept`);
  } finally {
    await client.end();
  }
}

await main();
