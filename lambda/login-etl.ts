import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Config } from './config.js';
import { describeError, FullBatchFailureError } from './errors.js';
import { createLogger } from './observability/logger.js';
import { countOutcomes, PipelineMetrics, type StatusCounts } from './observability/pipeline-metrics.js';
import { buildBatchResponse } from './pipeline/batch-response.js';
import { processBatch, type BatchReport } from './pipeline/process-batch.js';
import { createTracing, type Tracing } from './observability/tracing.js';
import { createResources, type AwsEdges, type Resources } from './resources.js';

export interface InvocationResult {
  response: SQSBatchResponse;
  report: BatchReport;
  counts: StatusCounts;
  received: number;
  /**
   * Set when every record of a non-empty batch failed, with the first
   * failure as its cause: what the handler throws instead of returning the
   * response when THROW_ON_FULL_BATCH_FAILURE is on (see answer()).
   */
  fullFailure?: FullBatchFailureError;
}

/** What the handler gives Lambda for a batch: the partial batch response, or the error it throws instead. */
export type LambdaAnswer = { response: SQSBatchResponse } | { thrown: FullBatchFailureError };

/**
 * login-etl for one sandbox: resources built on first use and cached (the
 * pool, keys, data key), one `process` per SQS batch. The Lambda entry and
 * the local tools (invoke, consume, bench) all go through this class.
 */
export class LoginEtl {
  readonly logger: Logger;
  readonly metrics: PipelineMetrics;
  #resources?: Promise<Resources>;
  #tracing?: Promise<Tracing>;
  #coldStart = true;

  constructor(
    readonly config: Config,
    readonly edges: AwsEdges = {},
  ) {
    this.logger = createLogger(config.serviceName);
    this.metrics = new PipelineMetrics(config.metricsNamespace, config.serviceName);
  }

  resources(): Promise<Resources> {
    this.#resources ??= createResources(this.config, this.edges).catch((error: unknown) => {
      // A failed load (secret not reachable yet) is retried on the next batch.
      this.#resources = undefined;
      throw error;
    });
    return this.#resources;
  }

  /** Runs one batch and reports; never throws. */
  async process(event: SQSEvent, context?: Context): Promise<InvocationResult> {
    const records = event.Records ?? [];
    if (context) this.logger.addContext(context);
    if (this.#coldStart) {
      this.#coldStart = false;
      this.metrics.coldStart();
    }
    let report: BatchReport;
    try {
      const tracing = await (this.#tracing ??= createTracing(this.config.tracingEnabled, this.config.serviceName));
      const r = await this.resources();
      report = await tracing.span(
        '## processBatch',
        () =>
          processBatch(records, {
            store: r.store,
            tokenizer: r.tokenizer,
            dataKeys: r.dataKeys,
            unwrapEnvelopes: this.config.unwrapEnvelopes,
          }),
        { batchSize: records.length },
      );
    } catch (error) {
      report = failedReport(records.map((r) => r.messageId), error);
    }
    const messageIds = records.map((r) => r.messageId);
    const counts = countOutcomes(report, messageIds);
    const response = buildBatchResponse(records, (id) => report.outcomes.get(id), report.fifo);
    this.#log(report, counts, records.length, response);
    this.metrics.record(report, records.length, counts);
    this.metrics.flush();
    const fullFailure = fullBatchFailure(report, counts, records.length);
    return { response, report, counts, received: records.length, ...(fullFailure ? { fullFailure } : {}) };
  }

  /**
   * The Lambda contract: partial failures returned, a total failure thrown.
   * Throwing (rather than returning every id) makes Lambda back its pollers
   * off while the database is down, instead of hammering it.
   */
  answer(result: InvocationResult): LambdaAnswer {
    return result.fullFailure && this.config.throwOnFullBatchFailure ? { thrown: result.fullFailure } : { response: result.response };
  }

  async handle(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
    const answer = this.answer(await this.process(event, context));
    if ('thrown' in answer) throw answer.thrown;
    return answer.response;
  }

  async close(): Promise<void> {
    const pending = this.#resources;
    this.#resources = undefined;
    if (pending) await (await pending.catch(() => undefined))?.database.close();
  }

  #log(report: BatchReport, counts: StatusCounts, received: number, response: SQSBatchResponse): void {
    const failures = new Map<string, { error: ReturnType<typeof describeError>; messageIds: string[] }>();
    for (const outcome of report.outcomes.values()) {
      if (outcome.status === 'quarantined') {
        this.logger.warn('record quarantined', { messageId: outcome.messageId, reason: outcome.reason, detail: outcome.detail });
      } else if (outcome.status === 'failed') {
        const error = describeError(outcome.error);
        const key = `${error.type}:${error.message}`;
        const group = failures.get(key) ?? { error, messageIds: [] };
        group.messageIds.push(outcome.messageId);
        failures.set(key, group);
      }
    }
    for (const { error, messageIds } of failures.values()) {
      this.logger.error('records failed transiently; they return to the queue', {
        errorType: error.type,
        errorMessage: error.message,
        ...(error.code ? { errorCode: error.code } : {}),
        messageIds,
      });
    }
    this.logger.info('batch processed', {
      batchSize: received,
      fifo: report.fifo,
      ...counts,
      statements: report.statements,
      writeMs: Math.round(report.writeMs * 10) / 10,
      ...(report.connectMs === undefined ? {} : { connectMs: Math.round(report.connectMs * 10) / 10 }),
      connectionRetried: report.connectionRetried,
      batchItemFailures: response.batchItemFailures.length,
    });
  }
}

/** Every record of a non-empty batch failed: the error naming it, caused by the first failure. */
function fullBatchFailure(report: BatchReport, counts: StatusCounts, received: number): FullBatchFailureError | undefined {
  if (received === 0 || counts.failed !== received) return undefined;
  const first = [...report.outcomes.values()].find((o) => o.status === 'failed');
  return new FullBatchFailureError(received, { cause: first?.status === 'failed' ? first.error : undefined });
}

function failedReport(messageIds: readonly string[], error: unknown): BatchReport {
  const outcomes = new Map(messageIds.map((messageId) => [messageId, { messageId, status: 'failed' as const, error }]));
  return { outcomes, fifo: false, statements: 0, writeMs: 0, connectionRetried: false };
}
