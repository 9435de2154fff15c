import { setTimeout as sleep } from 'node:timers/promises';
import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../../../lambda/errors.js';
import type { InvocationResult } from '../../../lambda/login-etl.js';
import { quarantineReasons } from '../../../lambda/observability/pipeline-metrics.js';
import { pollerPauseMs, redeliveryDelaySeconds } from './backoff.js';
import { BatchCollector } from './batch-collector.js';
import type { ConsumeOptions } from './consume-options.js';
import type { ConsumeStats } from './consume-stats.js';
import { classifySqsError, describeSqsError, isPermanentSqsProblem, toQueueAccessError } from './errors.js';
import { queueDepth, type QueueInfo } from './queue-info.js';
import { delayRedelivery, deleteMessages } from './settle-batch.js';
import { RECEIVE_EVERYTHING, toSqsRecord } from './to-lambda-event.js';

export interface ConsumerDeps {
  client: SQSClient;
  queue: QueueInfo;
  endpoint?: string | undefined;
  /** The handler's work, as `LoginEtl.process` does it: never throws. */
  process(event: SQSEvent): Promise<InvocationResult>;
  stats: ConsumeStats;
  /** One line for the operator (stderr); never message content. */
  warn(line: string): void;
}

/** Lambda's pollers long-poll for 20 s; a drain asks briefly, to notice the end soon. */
const IDLE_WAIT_SECONDS = 20;
const DRAIN_WAIT_SECONDS = 1;
/** A drain ends after this many consecutive "empty" observations per poller. */
const EMPTY_CHECKS_TO_FINISH = 2;
/** Receives failing this many times in a row end the run, even for network errors. */
const MAX_RECEIVE_FAILURES = 5;
const REPEAT_WARNING_MS = 30_000;

type Outcome = 'ok' | 'full-failure';

/**
 * The event source mapping, locally: `concurrency` pollers, each gathering a
 * batch, handing it to the handler, deleting what landed and leaving the
 * reported failures for redelivery. One batch at a time per poller, as one
 * Lambda sandbox runs one invocation at a time.
 */
export class Consumer {
  readonly #abort = new AbortController();
  #inFlight = 0;
  #lastWarning = { text: '', at: 0 };

  constructor(
    readonly deps: ConsumerDeps,
    readonly options: ConsumeOptions,
  ) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  get stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Stop receiving; batches already received are still processed and settled. */
  stop(): void {
    this.#abort.abort();
  }

  /** Resolves when the pollers are done: drained, or stopped and settled. */
  async run(): Promise<void> {
    const pollers = Array.from({ length: this.options.concurrency }, () =>
      this.#poll().catch((error: unknown) => {
        // One poller hit a problem retrying cannot fix: the others settle and stop too.
        this.stop();
        throw error;
      }),
    );
    const results = await Promise.allSettled(pollers);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async #poll(): Promise<void> {
    const signal = this.#abort.signal;
    const collector = new BatchCollector((max, wait, s) => this.#receive(max, wait, s), {
      batchSize: this.options.batchSize,
      windowSeconds: this.options.windowSeconds,
      idleWaitSeconds: this.options.drain ? DRAIN_WAIT_SECONDS : IDLE_WAIT_SECONDS,
    });
    let emptyChecks = 0;
    let receiveFailures = 0;
    let fullFailures = 0;
    while (!signal.aborted || collector.pending > 0) {
      let messages: Message[];
      try {
        messages = await collector.next(signal);
        receiveFailures = 0;
      } catch (error) {
        if (signal.aborted) break; // the long poll was cut short by stop()
        receiveFailures += 1;
        const problem = classifySqsError(error);
        if (isPermanentSqsProblem(problem) || receiveFailures >= MAX_RECEIVE_FAILURES) {
          throw toQueueAccessError(error, this.#site('ReceiveMessage'));
        }
        const pause = pollerPauseMs(receiveFailures);
        this.#warn(`${describeSqsError(error, this.#site('ReceiveMessage'))}; retrying in ${pause / 1000} s`);
        await this.#pause(pause);
        continue;
      }
      if (messages.length === 0) {
        if (this.options.drain && !signal.aborted) {
          emptyChecks = (await this.#queueLooksEmpty()) ? emptyChecks + 1 : 0;
          if (emptyChecks >= EMPTY_CHECKS_TO_FINISH) break;
        }
        continue;
      }
      emptyChecks = 0;
      const outcome = await this.#invoke(messages);
      if (outcome === 'full-failure') {
        fullFailures += 1;
        await this.#pause(pollerPauseMs(fullFailures));
      } else {
        fullFailures = 0;
      }
    }
  }

  async #receive(max: number, waitSeconds: number, signal: AbortSignal): Promise<Message[]> {
    const { Messages = [] } = await this.deps.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.deps.queue.url,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        ...RECEIVE_EVERYTHING,
      }),
      { abortSignal: signal },
    );
    this.deps.stats.recordReceive(Messages.length);
    return Messages;
  }

  /**
   * One invocation and what the event source mapping does with its answer:
   * delete every record not named in batchItemFailures; when every record
   * failed (the handler would have thrown) or the response names an id that
   * was not in the batch, delete nothing. Records left behind get a
   * visibility back-off.
   */
  async #invoke(messages: Message[]): Promise<Outcome> {
    const { client, queue, stats } = this.deps;
    const records = messages.map((m) => toSqsRecord(m, queue));
    this.#inFlight += 1;
    try {
      const result = await this.deps.process({ Records: records });
      const reported = new Set(result.response.batchItemFailures.map((f) => f.itemIdentifier));
      const known = new Set(records.map((r) => r.messageId));
      const fullFailure = result.fullFailure !== undefined || [...reported].some((id) => !known.has(id));
      const retry = fullFailure ? records : records.filter((r) => reported.has(r.messageId));
      const landed = fullFailure ? [] : records.filter((r) => !reported.has(r.messageId));
      // A back-off that SQS refuses only leaves the queue's own visibility timeout in force.
      const [deleted] = await Promise.all([
        deleteMessages(client, queue.url, landed.map((r) => r.receiptHandle)),
        delayRedelivery(client, queue.url, retry.map((r) => ({ receiptHandle: r.receiptHandle, seconds: delayOf(r) }))),
      ]);
      const deleteFailed = [...deleted.failed.values()].reduce((a, b) => a + b, 0);
      stats.recordBatch({
        received: result.received,
        counts: result.counts,
        reasons: quarantineReasons(result.report),
        deleted: deleted.done,
        deleteFailed,
        redelivered: retry.length,
      });
      if (deleteFailed > 0) {
        this.#warn(`${deleteFailed} processed message(s) could not be deleted (${[...deleted.failed.keys()].join(', ')}); they will be redelivered and absorbed as duplicates`);
      }
      if (fullFailure) this.#warnFullFailure(result, retry);
      return fullFailure ? 'full-failure' : 'ok';
    } finally {
      this.#inFlight -= 1;
    }
  }

  #warnFullFailure(result: InvocationResult, retry: SQSRecord[]): void {
    const cause = result.fullFailure?.cause;
    const why = cause === undefined ? undefined : describeError(cause);
    const delays = retry.map(delayOf);
    this.#warn(
      `all ${result.received} records of a batch failed` +
        (why ? ` (${why.type}${why.code ? ` ${why.code}` : ''}: ${why.message})` : '') +
        `; nothing deleted, they return to the queue in ${Math.min(...delays)} s`,
    );
  }

  async #queueLooksEmpty(): Promise<boolean> {
    try {
      const depth = await queueDepth(this.deps.client, this.deps.queue.url);
      return depth.visible === 0 && depth.inFlight === 0 && depth.delayed === 0;
    } catch {
      return false;
    }
  }

  /** Waits, unless stop() comes first. */
  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#abort.signal }).catch(() => undefined);
  }

  /** The same warning at most every 30 s: an outage should not flood the terminal. */
  #warn(text: string): void {
    const now = Date.now();
    const key = text.replace(/\d+(\.\d+)?/g, '#');
    if (key === this.#lastWarning.text && now - this.#lastWarning.at < REPEAT_WARNING_MS) return;
    this.#lastWarning = { text: key, at: now };
    this.deps.warn(text);
  }

  #site(action: string) {
    return { action, queueUrl: this.deps.queue.url, endpoint: this.deps.endpoint };
  }
}

const delayOf = (r: SQSRecord) => redeliveryDelaySeconds(Number(r.attributes.ApproximateReceiveCount));
