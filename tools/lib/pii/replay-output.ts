import type { ReplayFilter } from './replay-filter.js';
import type { QuarantinedMessage, ReplayResult } from './replay.js';
import { printable } from './output.js';

/**
 * What replay prints: message ids, reasons, dates, the pipeline's details
 * (field names and rules, never values) and audit ids. Never a body, a
 * preview or a value.
 */
export interface ReplayOutput {
  stdout: string;
  stderr: string;
}

const when = (at: Date | null) => (at ? at.toISOString() : '-');

function selection(filter: ReplayFilter): string {
  const parts = [`reason ${filter.reason}`];
  if (filter.messageId) parts.push(`message id ${filter.messageId}`);
  if (filter.since) parts.push(`quarantined since ${filter.since.toISOString()}`);
  return parts.join(', ');
}

/** The dry run: one line per message (id, reason, quarantined at, sent at), then what --apply would do. */
export function formatReplayList(messages: readonly QuarantinedMessage[], filter: ReplayFilter): ReplayOutput {
  if (messages.length === 0) return { stdout: '', stderr: `replay: no quarantined message matches (${selection(filter)})\n` };
  const width = Math.max(...messages.map((m) => m.messageId.length));
  const lines = messages.map(
    (m) =>
      `${m.messageId.padEnd(width)}  ${m.reason}  quarantined ${when(m.quarantinedAt)}  sent ${when(m.sentAt)}` +
      (m.sealed ? '' : '  (body shredded: cannot be replayed)'),
  );
  const sealed = messages.filter((m) => m.sealed).length;
  const shredded = messages.length - sealed;
  const note =
    `replay: dry run: ${sealed} message(s) would be replayed` +
    (shredded ? `, ${shredded} cannot be (body shredded by forget)` : '') +
    '; run again with --apply to replay them (each one audited)';
  return { stdout: `${lines.join('\n')}\n`, stderr: `${note}\n` };
}

function resultLine(result: ReplayResult): string {
  switch (result.outcome) {
    case 'replayed':
      return `${result.messageId}  replayed: in user_logins, out of the quarantine (audit #${result.auditId})`;
    case 'still_quarantined':
      return `${result.messageId}  still quarantined: ${result.reason}: ${printable(result.detail)} (audit #${result.auditId})`;
    case 'erased':
      return result.why === 'shredded'
        ? `${result.messageId}  erased: its body was shredded by forget; nothing to replay (audit #${result.auditId})`
        : `${result.messageId}  erased: its user was forgotten; its body is shredded now, not replayed (audit #${result.auditId})`;
    case 'gone':
      return `${result.messageId}  no longer quarantined for this reason (replayed meanwhile?); nothing done`;
  }
}

/** --apply: one line per message, then the counts. */
export function formatReplayResults(results: readonly ReplayResult[]): ReplayOutput {
  const count = (outcome: ReplayResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  const summary =
    `replay: ${count('replayed')} replayed, ${count('still_quarantined')} still quarantined, ${count('erased')} erased` +
    (count('gone') ? `, ${count('gone')} no longer quarantined` : '');
  return { stdout: results.map((r) => `${resultLine(r)}\n`).join(''), stderr: `${summary}\n` };
}
