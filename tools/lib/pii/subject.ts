import { piiColumn, type PiiKind } from '../../../lambda/record/pii-fields.js';
import { UsageError } from '../cli.js';
import type { AuditSubjectKind } from './audit.js';

/** What unmask is asked about: one token, or every value of one user. */
export type UnmaskSubject = { kind: PiiKind; token: string } | { kind: 'user'; userId: string };

const TOKEN = /^[0-9a-f]{64}$/;

function parseToken(flag: string, given: string): string {
  const token = given.trim().toLowerCase();
  if (!TOKEN.test(token)) throw new UsageError(`${flag} takes a token: 64 hex characters, as stored in user_logins`);
  return token;
}

/** The subject from unmask's options, of which its definition (tools/lib/commands/operator.ts) lets exactly one through. */
export function parseSubject(values: {
  'masked-ip'?: string | undefined;
  'masked-device-id'?: string | undefined;
  'user-id'?: string | undefined;
}): UnmaskSubject {
  if (values['masked-ip'] !== undefined) return { kind: 'ip', token: parseToken('--masked-ip', values['masked-ip']) };
  if (values['masked-device-id'] !== undefined) {
    return { kind: 'device_id', token: parseToken('--masked-device-id', values['masked-device-id']) };
  }
  // Not trimmed: user ids are stored exactly as the producer sent them.
  const userId = values['user-id'] ?? '';
  if (userId.length === 0 || userId.length > 128) throw new UsageError('--user-id must be 1 to 128 characters');
  return { kind: 'user', userId };
}

export function auditSubject(subject: UnmaskSubject): { subjectKind: AuditSubjectKind; subject: string } {
  if (subject.kind === 'user') return { subjectKind: 'user_id', subject: subject.userId };
  return { subjectKind: piiColumn(subject.kind), subject: subject.token };
}
