import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConcurrencyLevel } from '../concurrency.js';
import type { LatencyResult } from '../latency.js';
import type { RateRun, RateSummary } from '../rate.js';
import type { MeasuredResults } from '../results.js';
import { evaluateTargets, GOALS, MIN_LOCK_OBSERVATIONS, scalesUntilSaturation, type TargetResult } from '../targets.js';
import type { ThroughputResult } from '../throughput.js';

const RUNS = 3;

/** Runs of a phase: `recordsPerSecond` and, when given, CPU per record, the same in every run. */
function rate(recordsPerSecond: number, cpu: Partial<Pick<RateRun, 'clientCpuUsPerRecord' | 'serverCpuUsPerRecord'>> = {}): RateSummary {
  const runs: RateRun[] = Array.from({ length: RUNS }, () => ({ ms: 1000, recordsPerSecond, ...cpu }));
  return { records: 20_000, runs, recordsPerSecond, ...cpu };
}

const batch = (batchSize: number, summary: RateSummary): ThroughputResult => ({ ...summary, batchSize, invocations: 20_000 / batchSize });

const latency = (p99Ms: number, invocations = 2_000): LatencyResult => ({ batchSize: 10, invocations, p50Ms: 1, p95Ms: p99Ms, p99Ms, maxMs: p99Ms });

function level(processes: number, lockWaitShare: number, activeObservations = 2_000): ConcurrencyLevel {
  const lockWaitObservations = Math.round(lockWaitShare * activeObservations);
  return {
    processes,
    batchSize: 1000,
    records: 20_000,
    ms: 1000,
    recordsPerSecond: 10_000 + processes,
    peakConnections: processes,
    connectionBudget: processes,
    polls: 400,
    activeObservations,
    lockWaitObservations,
    lockWaitShare: lockWaitObservations / activeObservations,
  };
}

/** A run that meets every target exactly at its boundary. */
function atBoundaries(): MeasuredResults {
  const ceiling = rate(40_000, { serverCpuUsPerRecord: 20 });
  const floor = rate(1_000);
  return {
    startedAt: '2026-11-30T00:00:00.000Z',
    durationSeconds: 1,
    options: {
      messages: 20_000, batchSizes: [10, 1000], runs: RUNS, seed: 8, floorMessages: 2_000, latencyInvocations: 2_000, coldRuns: 10,
      memoryRecords: 10_000, concurrency: [1, 8], concurrencyBatch: 1_000, rttMs: GOALS.hopRttMs, partitioning: true,
    },
    machine: { cpu: 'cpu', cores: 2, memoryGiB: 1, os: 'linux', node: 'v20', bundleNode: 'v20', loadAverage: { start: 0 }, postgres: { server: 'local', settings: {} } },
    dataset: { messages: 20_000, logins: 19_900, quarantined: 100, vaultEntries: 28_000 },
    ceiling: { ...ceiling, rows: {} },
    loginEtl: [
      batch(10, rate(5_000, { clientCpuUsPerRecord: 70, serverCpuUsPerRecord: 80 })),
      batch(1000, rate(15_000, { clientCpuUsPerRecord: GOALS.clientCpuUs, serverCpuUsPerRecord: 20 * GOALS.serverCpuVsCopy })),
    ],
    floor,
    latency: latency(GOALS.latencyP99Ms),
    bundle: { bytes: GOALS.bundleBytes, mapBytes: 1, buildMs: 1, largest: [], settings: '' },
    coldStart: { runs: 10, bareNodeMs: 100, withBundleMs: 100 + GOALS.initOverheadMs, initOverheadMs: GOALS.initOverheadMs, importMs: 1, firstInvokeMs: 1, nodeOptions: '' },
    memory: { records: 10_000, eventBytes: 1, rssAfterLoadMb: 50, maxRssMb: GOALS.peakRssMb, invokeMs: 1, failures: 0, bodyBytes: 1 },
    concurrency: [level(1, 0), level(GOALS.lockWaitProcesses, GOALS.lockWaitShare)],
    hop: {
      rttMs: GOALS.hopRttMs,
      selectOneMs: { throughHop: 2.1, direct: 0.1 },
      latency: latency(GOALS.latencyP99Ms),
      loginEtl: batch(1000, rate(400 * GOALS.hopVsFloor)),
      floor: rate(400),
    },
    partitioning: {
      batchSize: 1000,
      messages: 10_000,
      pairs: RUNS,
      seconds: 10,
      partitions: GOALS.minPartitions,
      partitioned: batch(1000, rate(10_000 * GOALS.partitionedVsUnpartitioned)),
      unpartitioned: batch(1000, rate(10_000)),
      ratio: GOALS.partitionedVsUnpartitioned,
    },
  };
}

const byId = (targets: readonly TargetResult[], id: string): TargetResult => {
  const found = targets.find((t) => t.id === id);
  assert.ok(found, `target ${id}`);
  return found;
};

/** Each goal, just past its boundary. */
const JUST_MISSED: Record<string, (r: MeasuredResults) => void> = {
  'server-cpu-vs-copy': (r) => {
    for (const run of r.loginEtl[1]?.runs ?? []) run.serverCpuUsPerRecord = 20 * GOALS.serverCpuVsCopy + 0.01;
  },
  'client-cpu': (r) => {
    (r.loginEtl[1] as ThroughputResult).clientCpuUsPerRecord = GOALS.clientCpuUs + 0.01;
  },
  'lock-waits': (r) => {
    r.concurrency[1] = level(GOALS.lockWaitProcesses, GOALS.lockWaitShare + 0.0005);
  },
  'hop-vs-floor': (r) => {
    for (const run of r.hop?.loginEtl.runs ?? []) run.recordsPerSecond = 400 * GOALS.hopVsFloor - 1;
  },
  'hop-latency-p99': (r) => {
    if (r.hop) r.hop.latency = latency(GOALS.latencyP99Ms + 0.01);
  },
  'latency-p99': (r) => {
    r.latency = latency(GOALS.latencyP99Ms + 0.01);
  },
  'bundle-size': (r) => {
    r.bundle.bytes = GOALS.bundleBytes + 1;
  },
  'init-overhead': (r) => {
    r.coldStart.initOverheadMs = GOALS.initOverheadMs + 1;
  },
  'peak-rss': (r) => {
    r.memory.maxRssMb = GOALS.peakRssMb + 1;
  },
  'connection-budget': (r) => {
    (r.concurrency[1] as ConcurrencyLevel).peakConnections = GOALS.lockWaitProcesses + 1;
  },
  'partitioned-vs-unpartitioned': (r) => {
    if (r.partitioning) r.partitioning.ratio = GOALS.partitionedVsUnpartitioned - 0.001;
  },
};

describe('bench targets', () => {
  it('passes every target at its boundary, and reports the rest as information', () => {
    const targets = evaluateTargets(atBoundaries());
    const judged = targets.filter((t) => !t.info);
    assert.deepEqual(judged.map((t) => t.id).sort(), Object.keys(JUST_MISSED).sort());
    for (const t of judged) assert.equal(t.pass, true, `${t.id}: ${t.measured}`);
    for (const t of targets.filter((x) => x.info)) assert.equal(t.pass, null, `${t.id} is information`);
    assert.deepEqual(
      targets.filter((t) => t.info).map((t) => t.id),
      ['server-cpu-vs-copy-stretch', 'ceiling-share', 'floor-ratio', 'concurrency-scaling'],
    );
  });

  for (const [id, miss] of Object.entries(JUST_MISSED)) {
    it(`${id}: fails just past its boundary, and only it does`, () => {
      const r = atBoundaries();
      miss(r);
      const targets = evaluateTargets(r);
      assert.equal(byId(targets, id).pass, false, byId(targets, id).measured);
      assert.deepEqual(targets.filter((t) => t.pass === false).map((t) => t.id), [id]);
    });
  }

  it('server CPU: pairs runs, so one slow run of each side does not decide the ratio', () => {
    const r = atBoundaries();
    const runs = r.loginEtl[1]?.runs ?? [];
    (runs[0] as RateRun).serverCpuUsPerRecord = 60;
    r.ceiling.runs[0] = { ...(r.ceiling.runs[0] as RateRun), serverCpuUsPerRecord: 40 };
    assert.equal(byId(evaluateTargets(r), 'server-cpu-vs-copy').pass, true);
  });

  it('the stretch goal is information: met or not, never a miss', () => {
    const r = atBoundaries();
    assert.match(byId(evaluateTargets(r), 'server-cpu-vs-copy-stretch').measured, /not met/);
    for (const run of r.loginEtl[1]?.runs ?? []) run.serverCpuUsPerRecord = 20 * GOALS.serverCpuVsCopyStretch;
    assert.match(byId(evaluateTargets(r), 'server-cpu-vs-copy-stretch').measured, /: met/);
  });

  it('lock waits: too few running backends seen is not judged', () => {
    const r = atBoundaries();
    r.concurrency[1] = level(GOALS.lockWaitProcesses, 0.5, MIN_LOCK_OBSERVATIONS - 1);
    const t = byId(evaluateTargets(r), 'lock-waits');
    assert.equal(t.pass, null);
    assert.match(t.measured, /too few/);
  });

  it('the hop targets are judged at a 2 ms round trip only, and not at all without a hop', () => {
    const r = atBoundaries();
    if (r.hop) r.hop.rttMs = 4;
    for (const id of ['hop-vs-floor', 'hop-latency-p99']) assert.equal(byId(evaluateTargets(r), id).pass, null);
    delete r.hop;
    for (const id of ['hop-vs-floor', 'hop-latency-p99']) assert.equal(byId(evaluateTargets(r), id).pass, null);
  });

  it('without batch 1,000 or readable server CPU, the per-record targets are not judged', () => {
    const r = atBoundaries();
    for (const run of r.ceiling.runs) delete run.serverCpuUsPerRecord;
    assert.equal(byId(evaluateTargets(r), 'server-cpu-vs-copy').pass, null);
    r.loginEtl = r.loginEtl.slice(0, 1);
    for (const id of ['server-cpu-vs-copy', 'client-cpu']) assert.equal(byId(evaluateTargets(r), id).pass, null);
  });

  it('partitioned against unpartitioned: fails with one partition too few, and is not judged when skipped', () => {
    const r = atBoundaries();
    if (r.partitioning) r.partitioning.partitions = GOALS.minPartitions - 1;
    const t = byId(evaluateTargets(r), 'partitioned-vs-unpartitioned');
    assert.equal(t.pass, false, t.measured);
    assert.match(t.measured, /11 partitions/);
    delete r.partitioning;
    assert.equal(byId(evaluateTargets(r), 'partitioned-vs-unpartitioned').pass, null);
  });

  it('concurrency scaling: growth then a plateau, not no growth or a collapse (information now)', () => {
    assert.equal(scalesUntilSaturation([1000, 1800, 2000, 1900]), true);
    assert.equal(scalesUntilSaturation([1000, 1010, 990, 1000]), false);
    assert.equal(scalesUntilSaturation([1000, 1800, 900, 700]), false);
  });
});
