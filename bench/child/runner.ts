/**
 * Stands in for the Lambda runtime in a fresh `node` process: loads the
 * production bundle (the real handler), then, by mode:
 *   cold <bundle> <event.json>    one invocation; reports load and invoke time
 *   memory <bundle> <event.json>  one (large) invocation; reports peak RSS
 *   serve <bundle>                invocations on command over IPC (concurrency)
 * Built to plain ESM by bench/bundle.ts, so a child starts as `node runner.mjs`
 * with no TypeScript loader in the way of the timings.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { SQSEvent } from 'aws-lambda';
import { lambdaContext } from '../../tools/lib/lambda-context.js';
import { invokeCounting, invokeEach, type SqsHandler as Handler } from '../lambda-context.js';
import type { ColdReport, FromChild, MemoryReport, ToChild } from './protocol.js';

const started = performance.now();
const [mode, bundle, eventFile] = process.argv.slice(2);
const MB = 1024 * 1024;

async function loadHandler(): Promise<Handler> {
  if (!bundle) throw new Error('runner: no bundle given');
  const mod = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`runner: ${bundle} exports no handler`);
  return mod.handler as Handler;
}

function readEvent(file: string | undefined): { event: SQSEvent; bytes: number } {
  if (!file) throw new Error('runner: no event file given');
  const text = readFileSync(file, 'utf8');
  return { event: JSON.parse(text) as SQSEvent, bytes: Buffer.byteLength(text) };
}

async function cold(): Promise<void> {
  const handler = await loadHandler();
  const loaded = performance.now();
  const { event } = readEvent(eventFile);
  const failures = await invokeCounting(handler, event, lambdaContext('cold'));
  const report: ColdReport = { importMs: loaded - started, invokeMs: performance.now() - loaded, failures };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function memory(): Promise<void> {
  const handler = await loadHandler();
  const rssAfterLoad = process.memoryUsage.rss();
  // Like the runtime: the payload arrives as text and is parsed before the handler runs.
  const { event, bytes } = readEvent(eventFile);
  const invokeStarted = performance.now();
  const failures = await invokeCounting(handler, event, lambdaContext('memory'));
  const report: MemoryReport = {
    records: event.Records.length,
    eventBytes: bytes,
    rssAfterLoadMb: rssAfterLoad / MB,
    // getrusage's peak resident set, in KiB on Linux: what Lambda reports as Max Memory Used.
    maxRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    invokeMs: performance.now() - invokeStarted,
    failures,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function serve(): void {
  const send = (message: FromChild) => process.send?.(message);
  let handler: Handler | undefined;
  let events: SQSEvent[] = [];
  process.on('message', (message: ToChild) => {
    void (async () => {
      try {
        if (message.type === 'load') {
          handler = await loadHandler();
          events = JSON.parse(readFileSync(message.eventsFile, 'utf8')) as SQSEvent[];
          const warm = JSON.parse(readFileSync(message.warmFile, 'utf8')) as SQSEvent[];
          await invokeEach(handler, warm, lambdaContext('warm'));
          send({ type: 'ready' });
        } else if (message.type === 'go') {
          if (!handler) throw new Error('runner: go before load');
          send({ type: 'done', failures: await invokeEach(handler, events, lambdaContext('serve')) });
        } else {
          process.exit(0);
        }
      } catch (error) {
        send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
}

if (mode === 'serve') {
  serve();
} else if (mode === 'cold' || mode === 'memory') {
  (mode === 'cold' ? cold() : memory()).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`runner: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  process.stderr.write('usage: runner.mjs cold|memory|serve <bundle> [event.json]\n');
  process.exit(2);
}
