import { formatNumber, MiB } from './format.js';
import { ACTIVITY_POLL_MS } from './bench-database.js';
import { pairedRatio, pairedServerCpuRatio } from './rate.js';
import type { BenchResults } from './results.js';
import type { TargetResult } from './targets.js';

const n = formatNumber;
const pct = (value: number) => `${n(value * 100, 0)}%`;
const times = (value: number) => `${n(value, 1)}×`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const verdict = (t: TargetResult): string => (t.info ? 'info' : t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'MISS');

function hopSection(hop: NonNullable<BenchResults['hop']>): string {
  const l = hop.latency;
  return [
    table(
      [`behind a ${n(hop.rttMs)} ms round-trip hop (TCP proxy, ${n(hop.rttMs / 2, 1)} ms each way)`, 'measured'],
      [
        ['SELECT 1 round trip, median of 21', `${n(hop.selectOneMs.throughHop, 2)} ms (direct: ${n(hop.selectOneMs.direct, 2)} ms)`],
        [`login-etl, batch 1,000`, `${n(hop.loginEtl.recordsPerSecond)} records/s`],
        [`floor: 1 INSERT + commit per message (${n(hop.floor.records)})`, `${n(hop.floor.recordsPerSecond)} records/s`],
        ['login-etl vs floor', times(pairedRatio(hop.loginEtl, hop.floor))],
        [`latency, batch of ${l.batchSize}, ${n(l.invocations)} warm invocations`, `p50 ${n(l.p50Ms, 2)} ms, p95 ${n(l.p95Ms, 2)} ms, p99 ${n(l.p99Ms, 2)} ms, max ${n(l.maxMs, 1)} ms`],
      ],
    ),
  ].join('\n');
}

function partitioningSection(p: NonNullable<BenchResults['partitioning']>): string {
  const cpu = (v: number | undefined) => (v === undefined ? '—' : n(v, 1));
  const row = (label: string, t: typeof p.partitioned) => [label, n(t.recordsPerSecond), cpu(t.serverCpuUsPerRecord)];
  return [
    table(
      [`user_logins layout, batch ${n(p.batchSize)}, ${n(p.messages)} messages, ${p.pairs} pairs (${n(p.seconds, 1)} s)`, 'records/s', 'server CPU µs/rec'],
      [
        row(`partitioned by month (${n(p.partitions)} partitions besides the default)`, p.partitioned),
        row('unpartitioned (a second database, migrated up to before the partitioning)', p.unpartitioned),
        ['partitioned ÷ unpartitioned', `${n(p.ratio, 3)}×`, p.serverCpuRatio === undefined ? '—' : `${n(p.serverCpuRatio, 3)}×`],
      ],
    ),
    '(medians; the ratios are medians of pair-by-pair ratios, the two layouts back to back in each pair, their order alternating)',
  ].join('\n');
}

/** The summary: markdown tables, readable on a terminal and pasteable into docs/performance.md. */
export function formatReport(r: BenchResults): string {
  const ceiling = r.ceiling.recordsPerSecond;
  const floor = r.floor.recordsPerSecond;
  const cpu = (v: number | undefined) => (v === undefined ? '—' : n(v, 1));
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `login-etl bench, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: ${m.cpu}, ${m.cores} cores, ${n(m.memoryGiB, 0)} GiB, ` +
      `Node ${m.node}${m.bundleNode === m.node ? '' : ` (production bundle on Node ${m.bundleNode})`}, PostgreSQL ${m.postgres.settings.server_version ?? '?'} (${m.postgres.server}; ` +
      `synchronous_commit=${m.postgres.settings.synchronous_commit ?? '?'}, fsync=${m.postgres.settings.fsync ?? '?'}), ` +
      `load average ${m.loadAverage.start} → ${m.loadAverage.end ?? '?'}` +
      (m.cpuTime ? `, CPU steal ${pct(m.cpuTime.stealShare)}` : ''),
  );
  out.push(
    `${n(r.dataset.messages)} messages (${n(r.dataset.logins)} logins, ${n(r.dataset.quarantined)} malformed, ` +
      `${n(r.dataset.vaultEntries)} distinct PII values), seed ${r.options.seed}; medians of ${r.options.runs} runs\n`,
  );
  const rows: string[][] = [
    ['ceiling: COPY, pre-computed rows, 1 transaction', n(ceiling), '100%', times(pairedRatio(r.ceiling, r.floor)), '—', cpu(r.ceiling.serverCpuUsPerRecord)],
    ...r.loginEtl.map((t) => [
      `login-etl, batch ${n(t.batchSize)} (${n(t.invocations)} invocations)`,
      n(t.recordsPerSecond),
      pct(pairedRatio(t, r.ceiling)),
      times(pairedRatio(t, r.floor)),
      cpu(t.clientCpuUsPerRecord),
      cpu(t.serverCpuUsPerRecord),
    ]),
    [`floor: 1 INSERT + commit per message (${n(r.floor.records)})`, n(floor), pct(pairedRatio(r.floor, r.ceiling)), '1.0×', '—', '—'],
  ];
  out.push(table(['throughput', 'records/s', 'of ceiling', 'of floor', 'client CPU µs/rec', 'server CPU µs/rec'], rows));
  out.push('(records/s and CPU: medians of the runs; ratios: medians of run-by-run ratios, each pair measured back to back)');
  const at1000 = r.loginEtl.find((t) => t.batchSize === 1000);
  const cpuRatio = at1000 ? pairedServerCpuRatio(at1000, r.ceiling) : undefined;
  if (cpuRatio !== undefined) out.push(`server CPU per record, batch 1,000 vs COPY of the same rows: ${n(cpuRatio, 2)}× (median of run-by-run ratios)`);
  out.push('');
  if (r.hop) out.push(hopSection(r.hop), '');
  if (r.partitioning) out.push(partitioningSection(r.partitioning), '');
  const l = r.latency;
  const c = r.coldStart;
  const mem = r.memory;
  out.push(
    table(
      ['per invocation and per sandbox', 'measured'],
      [
        [`latency, batch of ${l.batchSize}, ${n(l.invocations)} warm invocations`, `p50 ${n(l.p50Ms, 2)} ms, p95 ${n(l.p95Ms, 2)} ms, p99 ${n(l.p99Ms, 2)} ms, max ${n(l.maxMs, 1)} ms`],
        ['bundle (index.mjs; source map apart)', `${n(r.bundle.bytes / 1024)} KiB (map ${n(r.bundle.mapBytes / 1024)} KiB)`],
        [
          `cold start, median of ${c.runs} fresh processes (Node ${m.bundleNode})`,
          `${n(c.withBundleMs)} ms vs ${n(c.bareNodeMs)} ms for node -e 0: init overhead ${n(c.initOverheadMs)} ms (load ${n(c.importMs)} ms, first invocation ${n(c.firstInvokeMs)} ms)`,
        ],
        [
          `memory, one batch of ${n(mem.records)} (${n(mem.bodyBytes / MiB, 1)} MiB bodies, ${n(mem.eventBytes / MiB, 1)} MiB event)`,
          `peak RSS ${n(mem.maxRssMb)} MiB (${n(mem.rssAfterLoadMb)} MiB after load; invocation ${n(mem.invokeMs)} ms)`,
        ],
      ],
    ),
  );
  out.push('');
  out.push(
    table(
      [`concurrency (handler processes, batch ${n(r.options.concurrencyBatch)})`, 'records/s', 'vs 1 process', 'peak connections', 'budget', 'lock waits', 'running seen'],
      r.concurrency.map((level) => [
        String(level.processes),
        n(level.recordsPerSecond),
        times(level.recordsPerSecond / (r.concurrency[0]?.recordsPerSecond ?? Number.NaN)),
        String(level.peakConnections),
        String(level.connectionBudget),
        `${n(level.lockWaitShare * 100, 1)}%`,
        `${n(level.activeObservations)} in ${n(level.polls)} polls`,
      ]),
    ),
  );
  out.push(
    `(lock waits: pg_stat_activity polled inside the server every ${ACTIVITY_POLL_MS} ms while the processes write; of the handler backends seen running a statement, ` +
      "the share seen waiting on a lock (wait_event_type 'Lock'), pooled over the level's passes)",
  );
  out.push('');
  out.push(table(['target', 'measured', 'result'], r.targets.map((t) => [t.target, t.measured, verdict(t)])));
  return `${out.join('\n')}\n`;
}
