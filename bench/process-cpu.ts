import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat on Linux (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU milliseconds used so far by a process on this host,
 * from /proc/<pid>/stat (fields 14 and 15). Used for the server backends:
 * on a shared machine CPU time says more than wall time about where work goes.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; count from after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** This process's own CPU milliseconds. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Microseconds of CPU per record between two readings of processCpuMs, or
 * undefined when a reading is missing or the difference is under 100 ms
 * (ten 10-ms ticks: too coarse to divide).
 */
export function cpuUsPerRecord(before: number | undefined, after: number | undefined, records: number): number | undefined {
  if (before === undefined || after === undefined || after - before < 100) return undefined;
  return ((after - before) * 1000) / records;
}
