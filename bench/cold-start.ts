import type { BundleProcesses } from './bundle-processes.js';
import type { ColdReport } from './child/protocol.js';
import type { BenchContext } from './context.js';
import { sideEvents } from './datasets.js';
import { lastJsonLine } from './spawn.js';
import { median } from './stats.js';

export interface ColdStartResult {
  runs: number;
  /** Median wall time of `node -e 0`. */
  bareNodeMs: number;
  /** Median wall time of a fresh node loading the bundle and running its first invocation. */
  withBundleMs: number;
  /** The difference: what the function adds to a cold start. */
  initOverheadMs: number;
  /** Medians measured inside the child: loading the bundle, and the first invocation (connect, data key, write). */
  importMs: number;
  firstInvokeMs: number;
  nodeOptions: string;
}


/**
 * Cold start proxy: a fresh `node` that loads the production bundle and
 * handles one batch of 10 (opening the connection, making the data key,
 * writing), against a bare `node -e 0` in the same environment, alternating
 * so that drift on a busy machine hits both. Medians of `coldRuns` each.
 */
export async function measureColdStart(ctx: BenchContext, processes: BundleProcesses): Promise<ColdStartResult> {
  const bare: number[] = [];
  const withBundle: number[] = [];
  const reports: ColdReport[] = [];
  // One environment for both: what node does at start-up with it (reading
  // NODE_EXTRA_CA_CERTS, say, on a machine that sets it) is not the
  // function's cost, and a baseline without it would charge that to the bundle.
  const env: NodeJS.ProcessEnv = { AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' };
  for (let run = 0; run < ctx.options.coldRuns; run += 1) {
    ctx.progress.update(`cold start: run ${run + 1}/${ctx.options.coldRuns}`, true);
    const [event] = sideEvents(`cold-${run}`, 10, 10, ctx.options.seed);
    const eventFile = await processes.writeJson(`cold-${run}.json`, event);
    bare.push((await processes.bare(env)).ms);
    const timed = await processes.run('cold', eventFile, env);
    const report = lastJsonLine<ColdReport>(timed, 'cold start');
    if (report.failures > 0) throw new Error(`cold start: ${report.failures} records failed`);
    withBundle.push(timed.ms);
    reports.push(report);
  }
  const bareNodeMs = median(bare);
  const withBundleMs = median(withBundle);
  return {
    runs: ctx.options.coldRuns,
    bareNodeMs,
    withBundleMs,
    initOverheadMs: withBundleMs - bareNodeMs,
    importMs: median(reports.map((r) => r.importMs)),
    firstInvokeMs: median(reports.map((r) => r.invokeMs)),
    nodeOptions: processes.nodeOptions,
  };
}
