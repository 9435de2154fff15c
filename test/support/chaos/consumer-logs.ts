/**
 * What the function's JSON logs (consume --logs: Powertools lines on stdout)
 * say about a run: outcome counts per batch, which message ids failed and
 * why, and how often a dead connection was retried.
 */
export interface LogTally {
  batches: number;
  written: number;
  duplicate: number;
  quarantined: number;
  failed: number;
  connectionRetried: number;
  /** Failed attempts per message id. */
  failures: Map<string, number>;
  /** Failed records by "errorType errorCode". */
  failureCauses: Map<string, number>;
}

interface LogLine {
  message?: unknown;
  batchSize?: unknown;
  written?: unknown;
  duplicate?: unknown;
  quarantined?: unknown;
  failed?: unknown;
  connectionRetried?: unknown;
  messageIds?: unknown;
  errorType?: unknown;
  errorCode?: unknown;
  _aws?: unknown;
}

export function emptyTally(): LogTally {
  return {
    batches: 0,
    written: 0,
    duplicate: 0,
    quarantined: 0,
    failed: 0,
    connectionRetried: 0,
    failures: new Map(),
    failureCauses: new Map(),
  };
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export function tallyLogs(stdout: string, into: LogTally = emptyTally()): LogTally {
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      continue; // the consumer's summary line
    }
    if (parsed.message === 'batch processed') {
      into.batches += 1;
      into.written += num(parsed.written);
      into.duplicate += num(parsed.duplicate);
      into.quarantined += num(parsed.quarantined);
      into.failed += num(parsed.failed);
      if (parsed.connectionRetried === true) into.connectionRetried += 1;
    } else if (parsed.message === 'records failed transiently; they return to the queue' && Array.isArray(parsed.messageIds)) {
      const cause = `${String(parsed.errorType)}${typeof parsed.errorCode === 'string' ? ` ${parsed.errorCode}` : ''}`;
      into.failureCauses.set(cause, (into.failureCauses.get(cause) ?? 0) + parsed.messageIds.length);
      for (const id of parsed.messageIds) {
        if (typeof id === 'string') into.failures.set(id, (into.failures.get(id) ?? 0) + 1);
      }
    }
  }
  return into;
}
