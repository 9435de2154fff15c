import type { QuarantineReason } from '../../../lambda/errors.js';
import { isValidMessageId } from '../../../lambda/pipeline/idempotency-key.js';
import { UsageError } from '../cli.js';

/** Which quarantined messages a replay takes: one reason, and optionally one message or those quarantined since a time. */
export interface ReplayFilter {
  reason: QuarantineReason;
  messageId?: string;
  since?: Date;
}

// A date (UTC midnight), or a date and time with its zone: a time without one would mean this machine's zone.
const SINCE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** The filter from replay's options; the reason is already one of the choices its definition (tools/lib/commands/operator.ts) allows. */
export function parseReplayFilter(values: {
  'quarantine-reason': QuarantineReason;
  'message-id'?: string | undefined;
  since?: string | undefined;
}): ReplayFilter {
  const filter: ReplayFilter = { reason: values['quarantine-reason'] };
  const messageId = values['message-id'];
  if (messageId !== undefined) {
    if (!isValidMessageId(messageId)) throw new UsageError('--message-id takes a message id: 1 to 128 visible ASCII characters');
    filter.messageId = messageId;
  }
  if (values.since !== undefined) filter.since = parseSince(values.since);
  return filter;
}

/** A calendar date that exists: Date would roll 2026-02-30 over into March. */
function realDay(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10) === text.slice(0, 10);
}

function parseSince(text: string): Date {
  const at = SINCE.test(text) && realDay(text) ? new Date(text) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new UsageError('--since takes a date (2026-11-30, UTC) or a date and time with its zone (2026-11-30T14:00Z)');
  }
  return at;
}
