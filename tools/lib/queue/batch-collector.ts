import type { Message } from '@aws-sdk/client-sqs';

/** One ReceiveMessage call: at most `max` (≤ 10) messages, long-polling `waitSeconds`. */
export type Receive = (max: number, waitSeconds: number, signal: AbortSignal) => Promise<Message[]>;

export interface CollectorOptions {
  /** The event source mapping's BatchSize. */
  batchSize: number;
  /** Its MaximumBatchingWindowInSeconds. */
  windowSeconds: number;
  /** Long-poll length while nothing has arrived yet (Lambda's pollers use 20). */
  idleWaitSeconds: number;
  /** Lambda's synchronous invoke payload limit: a batch is cut short to fit. */
  maxPayloadBytes?: number;
}

export const INVOKE_PAYLOAD_LIMIT = 6 * 1024 * 1024;
// The event's own JSON around the records, and each record's fixed fields.
const EVENT_OVERHEAD = 64;
const RECORD_OVERHEAD = 512;

const recordBytes = (m: Message) => RECORD_OVERHEAD + Buffer.byteLength(JSON.stringify(m));

/**
 * Gathers one batch the way the event source mapping does: receives of up to
 * 10 messages until `batchSize` is reached, the batching window has passed
 * since the first message arrived, or the next message would push the event
 * over the payload limit. Messages cut off by that limit open the next batch.
 */
export class BatchCollector {
  #carry: Message[] = [];

  constructor(
    readonly receive: Receive,
    readonly options: CollectorOptions,
  ) {}

  /** Messages received but not yet handed out: they must be processed before stopping. */
  get pending(): number {
    return this.#carry.length;
  }

  /**
   * The next batch; empty when the idle long poll found nothing. Once `signal`
   * aborts, returns what it holds without receiving more. A receive that
   * fails with nothing gathered yet throws; one that fails mid-window ends
   * the batch early, so received messages are not left to time out.
   */
  async next(signal: AbortSignal): Promise<Message[]> {
    const { batchSize, windowSeconds, idleWaitSeconds } = this.options;
    const limit = (this.options.maxPayloadBytes ?? INVOKE_PAYLOAD_LIMIT) - EVENT_OVERHEAD;
    const batch: Message[] = [];
    let bytes = 0;
    let cut = false;
    const take = (messages: Message[]) => {
      for (const m of messages) {
        const size = recordBytes(m);
        if (cut || batch.length >= batchSize || (batch.length > 0 && bytes + size > limit)) {
          cut = true;
          this.#carry.push(m);
        } else {
          batch.push(m);
          bytes += size;
        }
      }
    };

    take(this.#carry.splice(0));
    if (batch.length === 0) {
      if (signal.aborted) return [];
      take(await this.receive(Math.min(10, batchSize), idleWaitSeconds, signal));
      if (batch.length === 0) return [];
    }
    const deadline = Date.now() + windowSeconds * 1000;
    while (!cut && batch.length < batchSize && !signal.aborted) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      // WaitTimeSeconds is whole seconds; under one second left, one short poll.
      const wait = Math.min(20, Math.floor(remaining / 1000));
      let messages: Message[];
      try {
        messages = await this.receive(Math.min(10, batchSize - batch.length), wait, signal);
      } catch {
        break;
      }
      if (messages.length === 0 && wait === 0) break;
      take(messages);
    }
    return batch;
  }
}
