/**
 * What the stack needs to know about an RDS instance class before it exists:
 * its memory (for PostgreSQL's default max_connections and the
 * freeable-memory alarm) and whether it is burstable (CPU credits). A small
 * table rather than an API call, so `cdk synth` stays offline.
 */

const GIB = 1024 ** 3;

/** Memory (GiB) of the burstable sizes; t3 and t4g are alike. */
const BURSTABLE_GIB: Readonly<Record<string, number>> = {
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  '2xlarge': 32,
};

/** vCPUs per size of the general-purpose (m) and memory-optimised (r) families. */
const VCPUS: Readonly<Record<string, number>> = {
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '4xlarge': 16,
  '8xlarge': 32,
  '12xlarge': 48,
  '16xlarge': 64,
  '24xlarge': 96,
};

/** GiB per vCPU: m classes have 4, r classes 8. */
const GIB_PER_VCPU = { m: 4, r: 8 } as const;

/** The families this table covers; a size a family lacks is RDS's to refuse at deploy. */
export const KNOWN_CLASSES =
  't3/t4g (micro to 2xlarge), m5/m6g/m6i/m7g/m7i/m8g and r5/r6g/r6i/r7g/r7i/r8g, optionally with d (large to 24xlarge)';

export interface InstanceClass {
  /** Without the `db.` prefix, e.g. `t4g.micro`. */
  readonly name: string;
  /** T classes run on CPU credits: fine for a quiet stack, not for steady load. */
  readonly burstable: boolean;
  readonly memoryBytes: number;
}

/** The class's memory and kind, or undefined when the table does not know it. */
export function describeInstanceClass(name: string): InstanceClass | undefined {
  const [family = '', size = ''] = name.split('.');
  if (/^t(3|4g)$/.test(family)) {
    const gib = BURSTABLE_GIB[size];
    return gib === undefined ? undefined : { name, burstable: true, memoryBytes: gib * GIB };
  }
  const match = /^(m|r)(5|6g|6i|7g|7i|8g)d?$/.exec(family);
  const vcpus = VCPUS[size];
  if (!match || vcpus === undefined) return undefined;
  return { name, burstable: false, memoryBytes: vcpus * GIB_PER_VCPU[match[1] as 'm' | 'r'] * GIB };
}

/** The class's memory and kind, for a name readSettings has accepted (it refuses unknown classes). */
export function instanceClassOf(name: string): InstanceClass {
  const instance = describeInstanceClass(name);
  if (!instance) throw new Error(`unknown instance class ${name}`);
  return instance;
}

/**
 * RDS for PostgreSQL's default max_connections is
 * LEAST({DBInstanceClassMemory/9531392}, 5000). DBInstanceClassMemory is the
 * class's memory less what RDS keeps for the OS and its agents, which the
 * docs do not tabulate (published readings run 5–12% under nominal for 2–8
 * GiB classes, more for small ones); 80% of nominal errs low on purpose.
 */
export function defaultMaxConnections(instance: InstanceClass): number {
  return Math.min(Math.floor((instance.memoryBytes * 0.8) / 9_531_392), 5_000);
}
