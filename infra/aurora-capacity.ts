/**
 * What the stack needs to know about an Aurora Serverless v2 capacity range
 * before the cluster exists: the writer's default max_connections (for the
 * connection budget) and its memory at the top of the range (for the
 * freeable-memory alarm). A table rather than an API call, so `cdk synth`
 * stays offline.
 */

/** Capacity moves in half ACUs (ServerlessV2ScalingConfiguration). */
export const ACU_STEP = 0.5;

/** About 2 GiB of memory per ACU (Aurora User Guide, "How Aurora Serverless v2 works"). */
export const BYTES_PER_ACU = 2 * 1024 ** 3;

/**
 * Aurora PostgreSQL's default max_connections on a Serverless v2 instance,
 * by the range's maximum ACUs, as AWS tabulates it: Aurora User Guide,
 * "Performance and scaling for Aurora Serverless v2", section "Maximum
 * connections for Aurora Serverless v2"
 * (aurora-serverless-v2.setting-capacity.html#aurora-serverless-v2.max-connections).
 * Aurora evaluates LEAST(DBInstanceClassMemory/9531392, 5000) with the
 * memory of the maximum capacity, not the current one, and holds the value
 * until a reboot.
 */
const MAX_CONNECTIONS_BY_MAX_ACU: readonly (readonly [maxAcu: number, maxConnections: number])[] = [
  [1, 189],
  [4, 823],
  [8, 1_669],
  [16, 3_360],
  [32, 5_000],
];

/** Same section: with a minimum capacity of 0 or 0.5 ACUs, max_connections is capped at 2,000. */
const LOW_MINIMUM_CAP = 2_000;

export interface AuroraCapacity {
  /** ACUs the writer (and a reader) never scales below. */
  readonly minCapacity: number;
  /** ACUs it never scales above: sizes max_connections and the memory ceiling. */
  readonly maxCapacity: number;
}

/**
 * The writer's default max_connections for this range. A maximum between two
 * rows of the table takes the lower row's value: only AWS's published
 * numbers are used, and between them the estimate errs low.
 */
export function auroraMaxConnections({ minCapacity, maxCapacity }: AuroraCapacity): number {
  const row = MAX_CONNECTIONS_BY_MAX_ACU.findLast(([acu]) => acu <= maxCapacity) ?? MAX_CONNECTIONS_BY_MAX_ACU[0];
  const tabulated = row?.[1] ?? 0;
  return minCapacity <= ACU_STEP ? Math.min(tabulated, LOW_MINIMUM_CAP) : tabulated;
}
