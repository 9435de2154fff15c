import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { round } from './stats.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** The node running the production bundle's processes (cold start, memory, concurrency): --node. */
  bundleNode: string;
  /** 1-minute load average at the start and the end of the run: a busy machine reads slower. */
  loadAverage: { start: number; end?: number };
  /**
   * Over the whole run, from /proc/stat: the share of CPU time the hypervisor
   * gave to other guests (steal) and the share of this machine's CPU time that
   * was busy (this bench included). High steal means slower, noisier numbers.
   */
  cpuTime?: { stealShare: number; busyShare: number };
  postgres: { server: string; settings: Record<string, string> };
}

interface CpuTicks {
  total: number;
  idle: number;
  steal: number;
}

function cpuTicks(): CpuTicks | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice: already counted in user]
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

/**
 * The machine as the run starts; `finish()` adds how it was used during the
 * run (load average at the end, CPU steal and busy shares since the start).
 */
export function describeMachine(server: string, settings: Record<string, string>, bundleNode: string): { info: MachineInfo; finish(): MachineInfo } {
  const startTicks = cpuTicks();
  const info: MachineInfo = {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    os: `${platform()} ${release()}`,
    node: process.version,
    bundleNode,
    loadAverage: { start: round(loadavg()[0] ?? 0, 2) },
    postgres: { server, settings },
  };
  const finish = (): MachineInfo => {
    const end = cpuTicks();
    const total = end && startTicks ? end.total - startTicks.total : 0;
    const cpuTime =
      end && startTicks && total > 0
        ? {
            stealShare: round((end.steal - startTicks.steal) / total, 3),
            busyShare: round(1 - (end.idle - startTicks.idle) / total, 3),
          }
        : undefined;
    return {
      ...info,
      loadAverage: { ...info.loadAverage, end: round(loadavg()[0] ?? 0, 2) },
      ...(cpuTime ? { cpuTime } : {}),
    };
  };
  return { info, finish };
}

/** Where the database is, without credentials: "embedded PostgreSQL" or host:port of DATABASE_URL. */
export function describeServer(url: string, embedded: boolean): string {
  if (embedded) return 'embedded PostgreSQL (127.0.0.1, .data/postgres)';
  const u = new URL(url);
  return `DATABASE_URL ${u.hostname}:${u.port || '5432'}`;
}
