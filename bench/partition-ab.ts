/**
 * The pipeline's write on the partitioned user_logins against the same write
 * on an unpartitioned one, in the same run, for docs/performance.md:
 *
 *   DATABASE_URL=postgres://root@127.0.0.1:5432/postgres npx tsx bench/partition-ab.ts [messages] [pairs] [batch]
 *
 * Two databases of the same server: "partitioned" migrated in full, with a
 * year of months ahead made by maintenance (so 12 or more partitions exist
 * besides the default), and "unpartitioned" migrated up to the maintenance
 * migration, its login_etl_write_v4 being login_etl_write_v3 under the name
 * the code calls. The same generated messages go through the handler
 * (login_etl_pipeline, batches of `batch`) into each in turn, in `pairs`
 * alternating pairs, every run on emptied tables; records per second of each
 * run and the median of each layout are printed.
 */
import pg from 'pg';
import { loadConfig } from '../lambda/config.js';
import { migrate } from '../lambda/db/migrate.js';
import { migrations } from '../lambda/db/migrations/index.js';
import { LoginEtl } from '../lambda/login-etl.js';
import { withDatabase } from '../tools/lib/local-database.js';
import { ensureLocalKeys } from '../tools/lib/local-keys.js';
import { provisionLocalPipelineLogin } from '../tools/lib/local-logins.js';
import { generateBodies } from '../tools/lib/login-generator.js';
import { sqsEvent } from '../tools/lib/sqs-event.js';
import { cpuUsPerRecord, processCpuMs } from './process-cpu.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const [messages = 20_000, pairs = 3, batch = 1_000] = process.argv.slice(2).map(Number);
const TABLES = 'user_logins, user_logins_quarantine, pii_vault, vault_data_keys';

interface Layout {
  name: string;
  admin: pg.Client;
  pipelineUrl: string;
}

async function database(name: string, partitioned: boolean): Promise<Layout> {
  const server = new pg.Client({ connectionString: serverUrl });
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server.query(`CREATE DATABASE ${name}`);
  await server.end();
  const url = withDatabase(serverUrl, name);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  if (partitioned) {
    await migrate(admin);
    await admin.query('SELECT * FROM login_etl_maintain_v1(12, 1200, 14, true)');
  } else {
    await migrate(admin, migrations.filter((m) => m.version <= 20));
    const def = await admin.query(`SELECT pg_get_functiondef('login_etl_write_v3'::regproc) AS def`);
    await admin.query(String(def.rows[0].def).replace('.login_etl_write_v3(', '.login_etl_write_v4('));
    await admin.query('GRANT EXECUTE ON FUNCTION login_etl_write_v4 TO login_etl_writer');
  }
  const pipelineUrl = await provisionLocalPipelineLogin(admin, url);
  return { name, admin, pipelineUrl };
}

interface Measured {
  rate: number;
  /** CPU of the handler's backend per record (this server on this host): steadier than wall time on a busy machine. */
  serverUs: number | undefined;
}

async function run(layout: Layout, bodies: string[], keys: NodeJS.ProcessEnv): Promise<Measured> {
  await layout.admin.query(`TRUNCATE ${TABLES}`);
  await layout.admin.query('CHECKPOINT');
  const etl = new LoginEtl(loadConfig({ ...keys, DATABASE_URL: layout.pipelineUrl, DB_STATEMENT_TIMEOUT_MS: '60000' }));
  try {
    await etl.process(sqsEvent(bodies.slice(0, 10), { idPrefix: `warm-${layout.name}` }));
    const backend = await layout.admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND usename = 'login_etl_pipeline'`,
    );
    const pid = backend.rows.length === 1 ? backend.rows[0]?.pid : undefined;
    const cpuBefore = pid === undefined ? undefined : processCpuMs(pid);
    const started = process.hrtime.bigint();
    for (let i = 0; i < bodies.length; i += batch) {
      const result = await etl.process(sqsEvent(bodies.slice(i, i + batch), { idPrefix: `ab-${i}`, sentTimestamp: Date.now() }));
      if (result.counts.failed > 0) throw new Error(`${layout.name}: ${result.counts.failed} records failed`);
    }
    const rate = (bodies.length * 1e9) / Number(process.hrtime.bigint() - started);
    return { rate, serverUs: cpuUsPerRecord(cpuBefore, pid === undefined ? undefined : processCpuMs(pid), bodies.length) };
  } finally {
    await etl.close();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const local = await ensureLocalKeys();
  const keys = { MASKING_KEYS_FILE: local.keyringFile, VAULT_KEK_FILE: local.kekFile };
  const bodies = generateBodies(messages, { seed: 8 });
  const layouts = [await database('login_etl_ab_unpartitioned', false), await database('login_etl_ab_partitioned', true)];
  const parts = await layouts[1]?.admin.query(`SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'user_logins'::regclass`);
  console.log(`${messages} messages, batch ${batch}, ${pairs} pairs; partitioned layout: ${parts?.rows[0].n} partitions`);
  const runs = new Map<string, Measured[]>(layouts.map((l) => [l.name, []]));
  for (let p = 0; p < pairs; p += 1) {
    for (const layout of p % 2 === 0 ? layouts : [...layouts].reverse()) {
      const m = await run(layout, bodies, keys);
      runs.get(layout.name)?.push(m);
      console.log(`pair ${p + 1} ${layout.name}: ${Math.round(m.rate)} records/s, server ${m.serverUs?.toFixed(1) ?? '?'} µs CPU per record`);
    }
  }
  const medians = (pick: (m: Measured) => number | undefined) =>
    layouts.map((l) => median((runs.get(l.name) ?? []).flatMap((m) => pick(m) ?? [])));
  const [a = 0, b = 0] = medians((m) => m.rate);
  const [ca = 0, cb = 0] = medians((m) => m.serverUs);
  console.log(`median unpartitioned ${Math.round(a)}, partitioned ${Math.round(b)} records/s: partitioned/unpartitioned ${(b / a).toFixed(3)}`);
  console.log(`median server CPU per record: unpartitioned ${ca.toFixed(1)} µs, partitioned ${cb.toFixed(1)} µs: ${(cb / ca).toFixed(3)}`);
  for (const l of layouts) await l.admin.end();
}

await main();
