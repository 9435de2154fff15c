import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_BATCH_LIMIT } from './chunks.js';
import type { MessageLine } from './message-file.js';

/** 256 KiB: the batch payload limit older SQS deployments (and LocalStack) still enforce. */
const BATCH_PAYLOAD_LIMIT = 256 * 1024;
/** Parallel SendMessageBatch calls on a standard queue; a FIFO queue gets one, to keep file order. */
const PARALLEL_CALLS = 4;
/** FIFO needs a group; one group keeps the whole file in order. */
const FIFO_GROUP_ID = 'login-etl-send';

interface SendFailure {
  line: number;
  code: string;
  message: string;
}

export interface SendReport {
  sent: number;
  batches: number;
  failures: SendFailure[];
  /** The ids SQS gave the accepted messages, by line. */
  messageIds: Map<number, string>;
}

/** Entries of at most 10 and 256 KiB per call; a line too large alone still gets a call, and SQS's answer. */
function planBatches(lines: readonly MessageLine[]): MessageLine[][] {
  const batches: MessageLine[][] = [];
  let current: MessageLine[] = [];
  let bytes = 0;
  for (const l of lines) {
    const size = Buffer.byteLength(l.body);
    if (current.length === SQS_BATCH_LIMIT || (current.length > 0 && bytes + size > BATCH_PAYLOAD_LIMIT)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(l);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * A FIFO deduplication id per login event, the event being a line of a file:
 * the digest of the whole file, the line number and the body. Sending the
 * same file again within SQS's 5-minute window (a retry after a failed run)
 * is deduplicated; two equal lines of one file, or the same line in two
 * different files, are distinct events and are both delivered.
 */
function deduplicationId(fileDigest: string, l: MessageLine): string {
  return createHash('sha256').update(`${fileDigest}\n${l.line}\n${l.body}`).digest('hex');
}

/** The digest of a file's messages, which every deduplication id of the file includes. */
function messagesDigest(lines: readonly MessageLine[]): string {
  const h = createHash('sha256');
  for (const l of lines) h.update(`${l.line}\n${l.body}\n`);
  return h.digest('hex');
}

function entryOf(l: MessageLine, fifoDigest: string | undefined): SendMessageBatchRequestEntry {
  return {
    Id: `line-${l.line}`,
    MessageBody: l.body,
    ...(fifoDigest === undefined ? {} : { MessageGroupId: FIFO_GROUP_ID, MessageDeduplicationId: deduplicationId(fifoDigest, l) }),
  };
}

/** A call failed as a whole; `report` says what was sent before it. */
export class SendInterruptedError extends Error {
  override readonly name = 'SendInterruptedError';
  constructor(
    readonly report: SendReport,
    cause: unknown,
  ) {
    super('SendMessageBatch failed', { cause });
  }
}

/**
 * SendMessageBatch over all lines. Per-entry failures are collected (by line,
 * with SQS's code and message, never the body); a call that fails as a whole
 * (after the SDK's own retries) stops the run with a SendInterruptedError.
 */
export async function sendMessages(
  client: SQSClient,
  queueUrl: string,
  lines: readonly MessageLine[],
  options: { fifo: boolean; onProgress?: (report: SendReport) => void },
): Promise<SendReport> {
  const report: SendReport = { sent: 0, batches: 0, failures: [], messageIds: new Map() };
  const batches = planBatches(lines);
  const fifoDigest = options.fifo ? messagesDigest(lines) : undefined;
  let next = 0;
  let interrupted: unknown;
  const worker = async () => {
    while (next < batches.length && interrupted === undefined) {
      const batch = batches[next++] ?? [];
      const byId = new Map(batch.map((l) => [`line-${l.line}`, l.line]));
      let out;
      try {
        out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((l) => entryOf(l, fifoDigest)) }));
      } catch (error) {
        interrupted ??= error;
        return;
      }
      report.batches += 1;
      for (const ok of out.Successful ?? []) {
        const line = byId.get(ok.Id ?? '');
        if (line !== undefined && ok.MessageId) report.messageIds.set(line, ok.MessageId);
        report.sent += 1;
      }
      for (const f of out.Failed ?? []) {
        report.failures.push({ line: byId.get(f.Id ?? '') ?? 0, code: f.Code ?? 'Failed', message: f.Message ?? '' });
      }
      options.onProgress?.(report);
    }
  };
  await Promise.all(Array.from({ length: options.fifo ? 1 : PARALLEL_CALLS }, worker));
  if (interrupted !== undefined) throw new SendInterruptedError(report, interrupted);
  report.failures.sort((a, b) => a.line - b.line);
  return report;
}
