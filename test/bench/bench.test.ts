import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { generateBodies } from '../../tools/lib/login-generator.js';
import { testServerUrl } from '../support/database.js';
import { kekFile, keyringJson } from '../support/keys.js';
import { repoRoot, runScript } from '../support/run-tool.js';

const BENCH = path.join(repoRoot, 'bench', 'bench.ts');

/** What this test reads of latest.json, the bench's published output, as any reader of the file would. */
interface BenchJson {
  dataset: { messages: number; logins: number; quarantined: number };
  ceiling: { recordsPerSecond: number };
  floor: { recordsPerSecond: number };
  loginEtl: { batchSize: number; recordsPerSecond: number }[];
  latency: { p50Ms: number; p99Ms: number };
  bundle: { bytes: number };
  coldStart: { withBundleMs: number; bareNodeMs: number };
  machine: { bundleNode: string };
  memory: { records: number; maxRssMb: number; rssAfterLoadMb: number };
  concurrency: { processes: number; peakConnections: number; connectionBudget: number; polls: number }[];
  hop: { rttMs: number; selectOneMs: { throughHop: number; direct: number }; loginEtl: { recordsPerSecond: number }; floor: { recordsPerSecond: number }; latency: { p50Ms: number } };
  partitioning: { partitions: number; pairs: number; messages: number; ratio: number; partitioned: { recordsPerSecond: number }; unpartitioned: { recordsPerSecond: number } };
  targets: { id: string; pass: boolean | null; info?: boolean }[];
}

/**
 * A tiny run of `npm run bench` (not the real measurement: a few hundred
 * messages, every phase once) to keep the bench itself working: it must
 * finish, print the tables, write the JSON and the chart, and measure sane
 * things. No --check: targets are not meaningful at this size.
 */
describe('bench smoke run', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'login-etl-bench-test-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('runs every phase at tiny sizes and reports', { timeout: 180_000 }, async () => {
    const args = [
      '--messages', '300', '--batch-sizes', '10,100', '--runs', '1', '--floor-messages', '40',
      '--latency-invocations', '20', '--cold-runs', '2', '--memory-records', '200',
      '--concurrency', '1,2', '--concurrency-batch', '50', '--seed', '8', '--out', out,
      '--node', process.execPath,
    ];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: testServerUrl(),
      MASKING_KEYS: keyringJson(),
      VAULT_KEK_FILE: kekFile(),
    };
    delete env.MASKING_KEYS_FILE;
    delete env.MASKING_SECRET_ARN;
    delete env.VAULT_KMS_KEY_ID;
    const { code, stdout, stderr } = await runScript(BENCH, args, env, 175_000);
    assert.equal(code, 0, stderr);
    for (const text of ['ceiling: COPY', 'login-etl, batch 10 ', 'login-etl, batch 100 ', 'floor: 1 INSERT', 'p99', 'init overhead', 'peak RSS', 'behind a 2 ms round-trip hop', 'partitioned by month', 'unpartitioned (']) {
      assert.ok(stdout.includes(text), `summary shows "${text}"`);
    }
    assert.match(stdout, /\|\s+(PASS|MISS|n\/a) \|/);

    const results = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as BenchJson;
    assert.equal(results.dataset.messages, 300);
    assert.ok(results.dataset.quarantined >= 1 && results.dataset.logins + results.dataset.quarantined === 300);
    assert.ok(results.ceiling.recordsPerSecond > 0 && results.floor.recordsPerSecond > 0);
    assert.deepEqual(results.loginEtl.map((t) => t.batchSize), [10, 100]);
    for (const t of results.loginEtl) assert.ok(t.recordsPerSecond > 0);
    assert.ok(results.latency.p50Ms > 0 && results.latency.p50Ms <= results.latency.p99Ms);
    assert.ok(results.bundle.bytes > 100_000, 'the bundle holds the handler and its dependencies');
    assert.ok(results.coldStart.withBundleMs > results.coldStart.bareNodeMs);
    assert.equal(results.machine.bundleNode, process.version, 'the bundle ran on the node given with --node');
    assert.equal(results.memory.records, 200);
    assert.ok(results.memory.maxRssMb > results.memory.rssAfterLoadMb * 0.5);
    assert.deepEqual(results.concurrency.map((c) => c.processes), [1, 2]);
    for (const c of results.concurrency) assert.ok(c.peakConnections >= 1 && c.peakConnections <= c.connectionBudget);
    assert.ok(results.concurrency.every((c) => c.polls >= 1), 'pg_stat_activity polled at every level');
    assert.equal(results.hop.rttMs, 2);
    assert.ok(results.hop.selectOneMs.throughHop >= 2, `a round trip through the hop takes its 2 ms: ${results.hop.selectOneMs.throughHop}`);
    assert.ok(results.hop.loginEtl.recordsPerSecond > 0 && results.hop.floor.recordsPerSecond > 0 && results.hop.latency.p50Ms >= 2);
    const { partitioning } = results;
    assert.ok(partitioning.partitions >= 12, `the partitioned layout had ${partitioning.partitions} partitions besides the default`);
    assert.ok(partitioning.pairs >= 2 && partitioning.messages === 150);
    assert.ok(partitioning.partitioned.recordsPerSecond > 0 && partitioning.unpartitioned.recordsPerSecond > 0 && partitioning.ratio > 0);
    assert.equal(results.targets.filter((t) => !t.info).length, 11);
    assert.ok(results.targets.filter((t) => t.info).every((t) => t.pass === null));
    assert.ok(readFileSync(path.join(out, 'latest.svg'), 'utf8').startsWith('<svg'));
    const pii = generateBodies(300, { seed: 8 }).flatMap((b) => [...b.matchAll(/"(?:ip|device_id)": "([^"]+)"/g)].map((m) => m[1] as string));
    assert.ok(pii.length > 500);
    assert.deepEqual(pii.filter((v) => (stdout + stderr).includes(v)), [], 'no ip or device id printed');
  });

  it('names a numeric flag out of range, before touching any database', async () => {
    const { code, stderr } = await runScript(BENCH, ['--concurrency', '2,0'], {
      ...process.env,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    assert.equal(code, 2, stderr);
    assert.ok(stderr.includes('--concurrency "2,0": expected whole numbers from 1 to 1000'), stderr);
  });

  it('refuses a negative --rtt-ms in one sentence, before touching any database', async () => {
    const { code, stderr } = await runScript(BENCH, ['--rtt-ms', '-1'], {
      ...process.env,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    assert.equal(code, 2, stderr);
    assert.equal(stderr.trim(), 'bench: --rtt-ms "-1": expected a whole number from 0 to 1000');
  });

  it('names a --node that cannot run, before touching any database', async () => {
    const missing = path.join(out, 'no-such-node');
    const { code, stderr } = await runScript(BENCH, ['--node', missing], {
      ...process.env,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    assert.equal(code, 2, stderr);
    assert.ok(stderr.includes(`--node ${missing}: cannot run it`), stderr);
  });
});
