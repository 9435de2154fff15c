import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE_TARGET } from '../infra/bundling/function-bundle.js';
import { Progress } from '../tools/lib/cli.js';
import { runCommand } from '../tools/lib/command-line.js';
import { bench } from '../tools/lib/commands/bench.js';
import { prepareLocalEnvironment } from '../tools/lib/local-environment.js';
import { quietPowertools } from '../tools/lib/quiet-powertools.js';
import { BenchDatabase } from './bench-database.js';
import { BundleProcesses } from './bundle-processes.js';
import { buildHandlerBundle, buildRunner } from './bundle.js';
import { precompute } from './ceiling.js';
import { renderChart } from './chart.js';
import { measureColdStart } from './cold-start.js';
import { measureConcurrency } from './concurrency.js';
import { createContext } from './context.js';
import { mainRecords } from './datasets.js';
import { NetworkHop } from './hop.js';
import { measureLatency } from './latency.js';
import { describeMachine, describeServer } from './machine.js';
import { measureMemory } from './memory.js';
import { benchOptions } from './options.js';
import { measurePartitioning } from './partitioning.js';
import { formatReport } from './report.js';
import { nodeVersion } from './spawn.js';
import type { BenchResults, MeasuredResults } from './results.js';
import { evaluateTargets } from './targets.js';
import { floorMessages, measureThroughputSuite } from './suite.js';
import { warmUp } from './throughput.js';

/** npm run bench: what it measures and takes is its definition's (tools/lib/commands/bench.ts), shown by --help. */
runCommand(bench, async ({ options: flags }) => {
  const options = benchOptions(flags);
  const bundleNode = nodeVersion(options.childNode);
  quietPowertools(options.logs);
  const progress = new Progress();
  const started = new Date();
  const { env, database } = await prepareLocalEnvironment((line) => process.stderr.write(`${line}\n`));
  const tmp = await mkdtemp(path.join(tmpdir(), 'login-etl-bench-'));
  let db: BenchDatabase | undefined;
  let hop: NetworkHop | undefined;
  try {
    db = await BenchDatabase.create(database.serverUrl);
    const ctx = createContext(options, db, env, progress);
    const machine = describeMachine(describeServer(database.url, database.embedded), await db.serverInfo(), bundleNode);

    progress.update('building the production bundle', true);
    const bundle = await buildHandlerBundle(tmp);
    const runner = await buildRunner(tmp);

    await warmUp(ctx);
    // Latency first, while this process's heap is small (as a sandbox's is):
    // the main set and its pre-computed rows would otherwise lengthen GC pauses.
    const latency = await measureLatency(ctx);
    hop = options.rttMs > 0 ? await NetworkHop.start(ctx) : undefined;
    const hopLatency = await hop?.latency();
    progress.update('generating messages and the rows they make', true);
    const records = mainRecords(options.messages, options.seed);
    const { rows, expected } = await precompute(ctx, records);
    const { ceiling, loginEtl, floor } = await measureThroughputSuite(ctx, records, rows, expected);
    const hopThroughput = await hop?.throughput(records, expected, floorMessages(ctx, records, rows));
    await hop?.stop();
    const partitioning = options.partitioning ? await measurePartitioning(ctx, records, rows) : undefined;
    const bundleProcesses = new BundleProcesses(options.childNode, runner, bundle.file, tmp, ctx.env);
    const coldStart = await measureColdStart(ctx, bundleProcesses);
    const memory = await measureMemory(ctx, bundleProcesses);
    const concurrency = await measureConcurrency(ctx, bundleProcesses, { records, expected });
    progress.done();

    const { outDir, logs: _logs, check: _check, childNode: _childNode, ...shownOptions } = options;
    const { file: _file, ...bundleInfo } = bundle;
    const measured: MeasuredResults = {
      startedAt: started.toISOString(),
      durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
      options: shownOptions,
      machine: machine.finish(),
      dataset: {
        messages: records.length,
        logins: expected.user_logins,
        quarantined: expected.user_logins_quarantine,
        // Distinct personal values (each login's are sealed in its own row since migration 14).
        vaultEntries: new Set(rows.writeSet.logins.flatMap((l) => [`ip:${l.maskedIp}`, `device_id:${l.maskedDeviceId}`])).size,
      },
      ceiling,
      loginEtl,
      floor,
      latency,
      bundle: {
        ...bundleInfo,
        settings: `esbuild: lambda/handler.ts, platform node, target ${BUNDLE_TARGET}, esm, minify, sourcemap (no sources), AWS SDK bundled, pg-native external, node:http as CommonJS, navigator defined (infra/bundling/function-bundle.ts)`,
      },
      coldStart,
      memory,
      concurrency,
      ...(hopThroughput && hopLatency ? { hop: { ...hopThroughput, latency: hopLatency } } : {}),
      ...(partitioning ? { partitioning } : {}),
    };
    const results: BenchResults = { ...measured, targets: evaluateTargets(measured) };
    process.stdout.write(formatReport(results));
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(path.join(outDir, 'latest.svg'), renderChart(results));
    process.stderr.write(`\nwrote ${path.relative(process.cwd(), path.join(outDir, 'latest.json'))} and latest.svg (${results.durationSeconds} s)\n`);
    const missed = results.targets.filter((t) => t.pass === false);
    return options.check && missed.length > 0 ? 1 : 0;
  } finally {
    progress.done();
    await hop?.stop();
    await db?.drop().catch((error: unknown) => process.stderr.write(`bench: could not drop ${db?.name}: ${String(error)}\n`));
    await rm(tmp, { recursive: true, force: true });
    await database.stop();
  }
});
