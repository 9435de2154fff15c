import { piiColumn } from '../../../lambda/record/pii-fields.js';
import type { ForgetResult } from './forget.js';
import type { UnmaskResult } from './unmask.js';

// Values come from message producers: a device id may hold terminal escape
// sequences or bidi overrides that would rewrite what the operator sees.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text as is when it is plain; otherwise quoted, with the unsafe characters escaped. */
export function printable(text: string): string {
  if (!/[\s"\\]/.test(text) && !text.match(UNSAFE)) return text;
  const escaped = text
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${escaped}"`;
}

const day = (at: Date | null) => (at ? at.toISOString() : 'an earlier erasure');

/** Exit codes of unmask: 0 values shown, 3 erased, 4 nothing known (1 errors, 2 usage: runCli). */
const UNMASK_EXIT = { ok: 0, partial: 0, erased: 3, not_found: 4 } as const;

/**
 * stdout carries the values and nothing else; notes go to stderr. This is
 * the only output of the project that contains plain PII, by design.
 */
export function formatUnmask(result: UnmaskResult): { stdout: string; stderr: string; exitCode: number } {
  const subject =
    result.subject.kind === 'user'
      ? `user ${printable(result.subject.userId)}`
      : `${piiColumn(result.subject.kind)} ${result.subject.token}`;
  const notes: string[] = [];
  if (result.outcome === 'erased') notes.push(`${subject}: erased on ${day(result.erasedAt)}; nothing to show`);
  if (result.outcome === 'not_found') notes.push(`${subject}: not found (no login row and no vault entry)`);
  if (result.subject.kind === 'user' && result.outcome !== 'erased' && result.erasedRows > 0) {
    notes.push(`${subject}: ${result.erasedRows} earlier login row(s) were erased on ${day(result.erasedAt)}; not shown`);
  }
  for (const m of result.missing) {
    notes.push(`${piiColumn(m.kind)} ${m.token}: not in the vault${m.erasedAt ? ` (erased on ${day(m.erasedAt)})` : ''}`);
  }
  const shown = result.values.map((v) => ({ ...v, text: printable(v.value) }));
  const width = Math.max(0, ...shown.map((v) => v.text.length));
  const lines = shown.map(
    (v) => `${v.kind.padEnd(9)}  ${v.text.padEnd(width)}  ${piiColumn(v.kind)}=${v.token}  key=${v.keyVersion}  rows=${v.rows}`,
  );
  notes.push(`audit #${result.auditId}: ${result.outcome}, ${result.values.length} value(s) shown`);
  return {
    stdout: lines.length ? `${lines.join('\n')}\n` : '',
    stderr: `${notes.map((n) => `unmask: ${n}`).join('\n')}\n`,
    exitCode: UNMASK_EXIT[result.outcome],
  };
}

/** forget's summary: counts and the user id, never a value. Exit 3 when quarantined bodies stayed sealed. */
export function formatForget(result: ForgetResult): { stdout: string; stderr: string; exitCode: number } {
  const q = result.quarantine;
  const stdout = [
    `user ${printable(result.userId)}: forgotten at ${result.erasedAt.toISOString()} (audit #${result.auditId})`,
    `  login rows kept, masked:                 ${result.loginRows}`,
    `  login rows' sealed originals cleared:    ${result.clearedRows}`,
    `  values now recoverable by no one:        ${result.shredded.ip} ip, ${result.shredded.device_id} device_id`,
    `  values other users' rows still carry:    ${result.keptShared}`,
    `  values erased by an earlier forget:      ${result.alreadyGone}`,
    `  quarantined bodies naming the user:      ${q.sealed} sealed, ${q.shredded} shredded`,
  ].join('\n');
  const stderr = q.notPermitted
    ? `forget: ${q.sealed} quarantined message bod${q.sealed === 1 ? 'y' : 'ies'} naming this user could not be shredded: ` +
      'this database user may not UPDATE user_logins_quarantine (body_dek_id, body_nonce, body_ciphertext); see docs/pii.md\n'
    : '';
  return { stdout: `${stdout}\n`, stderr, exitCode: q.notPermitted ? 3 : 0 };
}
