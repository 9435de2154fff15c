import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import pg from 'pg';
import { repoRoot } from '../tools/lib/paths.js';
import type { ExpectedRows } from './bench-database.js';
import { reroutedContext, type BenchContext } from './context.js';
import { FloorPhase, type FloorResult } from './floor.js';
import { measureLatency, type LatencyResult } from './latency.js';
import { median } from './stats.js';
import { ThroughputPhase, type ThroughputResult } from './throughput.js';

/** The batch size login-etl is compared with the floor at, behind the hop. */
export const HOP_BATCH = 1_000;

export interface HopResult {
  /** --rtt-ms: the round trip the proxy adds, half of it each way. */
  rttMs: number;
  /** Median of 21 `SELECT 1` round trips through the hop, and straight to the server: what the proxy really added. */
  selectOneMs: { throughHop: number; direct: number };
  latency: LatencyResult;
  loginEtl: ThroughputResult;
  floor: FloorResult;
}

async function selectOneMs(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: 'login-etl-bench' });
  await client.connect();
  try {
    const times: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      const started = performance.now();
      await client.query('SELECT 1');
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    await client.end();
  }
}

/** Starts bench/child/hop-proxy.ts in front of `target` and resolves with the process and its port. */
async function startProxy(target: URL, delayMs: number): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(repoRoot, 'bench', 'child', 'hop-proxy.ts'), [target.hostname, target.port || '5432', String(delayMs)], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the hop's proxy exited (${code}) before listening`)));
    child.once('error', reject);
  });
  child.removeAllListeners('exit');
  return { child, port };
}

/** `url` with its host and port replaced by the proxy's. */
function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

/**
 * The network between a Lambda and its database (a cross-AZ hop to RDS
 * Proxy) on one machine: a TCP proxy (tools/lib/tcp-proxy.ts, in a process of
 * its own) between the handler (or the floor) and Postgres, holding each
 * direction back by half of --rtt-ms. Every phase given `ctx` connects
 * through it; resets, checks and pg_stat_activity polls do not.
 */
export class NetworkHop {
  private constructor(
    readonly ctx: BenchContext,
    readonly rttMs: number,
    readonly proxy: ChildProcess,
    readonly directUrl: string,
  ) {}

  static async start(ctx: BenchContext): Promise<NetworkHop> {
    const { child, port } = await startProxy(new URL(ctx.env.DATABASE_URL as string), ctx.options.rttMs / 2);
    return new NetworkHop(reroutedContext(ctx, (url) => viaPort(url, port)), ctx.options.rttMs, child, ctx.db.url);
  }

  /** Batches of 10 through the hop, as measureLatency does them without it. */
  async latency(): Promise<LatencyResult> {
    return measureLatency(this.ctx, 'hop latency');
  }

  /**
   * login-etl at batch 1,000 on the main set and the floor on its share of
   * it, both through the hop, run by run back to back (as the suite pairs
   * them), so their ratio is taken over the same moments of the machine.
   */
  async throughput(records: readonly SQSRecord[], expected: ExpectedRows, floorSet: { records: readonly SQSRecord[]; expected: ExpectedRows }): Promise<Omit<HopResult, 'latency'>> {
    const { ctx } = this;
    const loginEtl = new ThroughputPhase(ctx, records, expected, HOP_BATCH);
    const floor = new FloorPhase(ctx, floorSet.records, floorSet.expected);
    for (let run = 0; run < ctx.options.runs; run += 1) {
      for (const phase of [loginEtl, floor]) {
        ctx.progress.update(`behind a ${this.rttMs} ms hop: ${phase.label}, run ${run + 1}/${ctx.options.runs}`, true);
        await phase.run(run);
      }
    }
    const selectOne = { throughHop: await selectOneMs(ctx.db.url), direct: await selectOneMs(this.directUrl) };
    return { rttMs: this.rttMs, selectOneMs: selectOne, loginEtl: loginEtl.result(), floor: floor.result() };
  }

  async stop(): Promise<void> {
    const { proxy } = this;
    if (proxy.exitCode !== null || proxy.signalCode !== null) return;
    const exited = new Promise((resolve) => proxy.once('exit', resolve));
    if (proxy.connected) proxy.disconnect();
    setTimeout(() => proxy.kill(), 5_000).unref();
    await exited;
  }
}
