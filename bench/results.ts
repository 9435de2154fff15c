import type { BundleResult } from './bundle.js';
import type { CeilingResult } from './ceiling.js';
import type { ColdStartResult } from './cold-start.js';
import type { ConcurrencyLevel } from './concurrency.js';
import type { FloorResult } from './floor.js';
import type { HopResult } from './hop.js';
import type { LatencyResult } from './latency.js';
import type { MachineInfo } from './machine.js';
import type { MemoryResult } from './memory.js';
import type { BenchOptions } from './options.js';
import type { PartitioningResult } from './partitioning.js';
import type { TargetResult } from './targets.js';
import type { ThroughputResult } from './throughput.js';

/** Everything one `npm run bench` measured: bench/results/latest.json. */
export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  options: Omit<BenchOptions, 'outDir' | 'logs' | 'check' | 'childNode'>;
  machine: MachineInfo;
  dataset: { messages: number; logins: number; quarantined: number; vaultEntries: number };
  ceiling: CeilingResult;
  loginEtl: ThroughputResult[];
  floor: FloorResult;
  latency: LatencyResult;
  bundle: Omit<BundleResult, 'file'> & { settings: string };
  coldStart: ColdStartResult;
  memory: MemoryResult;
  concurrency: ConcurrencyLevel[];
  /** login-etl and the floor behind the simulated network hop; absent with --rtt-ms 0. */
  hop?: HopResult;
  /** The partitioned user_logins against an unpartitioned one; absent with --skip-partitioning. */
  partitioning?: PartitioningResult;
  targets: TargetResult[];
}

export type MeasuredResults = Omit<BenchResults, 'targets'>;
