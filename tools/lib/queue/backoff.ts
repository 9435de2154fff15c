/** SQS's ceiling for one visibility change is 12 h; the back-off stops far below. */
const MAX_REDELIVERY_DELAY_SECONDS = 900;

/**
 * How long a message that failed on its Nth receive stays invisible:
 * 2, 4, 8, ... s, at most 15 min. The event source mapping itself leaves it
 * for the queue's whole visibility timeout; retrying sooner at first and
 * later under a long outage keeps a local run responsive without hammering a
 * database that is down. The receive count, and so the point where SQS moves
 * the message to the DLQ (maxReceiveCount), is the same either way.
 */
export function redeliveryDelaySeconds(receiveCount: number): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  return Math.min(2 ** Math.min(n, 10), MAX_REDELIVERY_DELAY_SECONDS);
}

/**
 * A poller's pause after consecutive failures (every record of a batch
 * failed, or a receive failed): 1, 2, 4, ... s, at most 30 s. Lambda scales
 * its pollers down the same way when the handler throws.
 */
export function pollerPauseMs(consecutiveFailures: number): number {
  const n = Math.max(1, Math.floor(consecutiveFailures));
  return Math.min(1000 * 2 ** (n - 1), 30_000);
}
