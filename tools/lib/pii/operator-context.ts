import { userInfo } from 'node:os';
import { redactText } from '../../../lambda/observability/redact.js';
import { UsageError } from '../cli.js';

/** Who asks, and why: stored with every unmask and erasure. */
export interface OperatorContext {
  operator: string;
  reason: string;
}

const MAX_OPERATOR = 128;
export const MAX_REASON = 500;
// Audit rows are read in terminals and spreadsheets; control characters there
// can rewrite what the reader sees.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The OS user's name, as the shell gives it. */
export function osUser(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.USER) return env.USER;
  if (env.LOGNAME) return env.LOGNAME;
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}

/**
 * The name the operator states: --operator, else the OS user. Self-asserted,
 * so the audit keeps it only as stated_operator; requested_by is the database
 * login that authenticated, set by the database itself (see audit.ts).
 */
export function resolveOperator(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const operator = (given ?? osUser(env) ?? '').trim();
  if (!operator) throw new UsageError('cannot tell who is asking: pass --operator <name>');
  if (operator.length > MAX_OPERATOR || CONTROL.test(operator)) {
    throw new UsageError(`--operator must be at most ${MAX_OPERATOR} printable characters`);
  }
  return operator;
}

/**
 * The reason is mandatory and stored in the clear, so it must not itself
 * carry PII: text that looks like an IP address is refused (device ids have no
 * recognisable shape; the docs ask for a ticket reference instead).
 */
export function requireReason(given: string | undefined): string {
  const reason = (given ?? '').trim();
  if (!reason) throw new UsageError('--reason is required: say why (e.g. a ticket reference); it is written to the audit log');
  if (reason.length > MAX_REASON || CONTROL.test(reason)) {
    throw new UsageError(`--reason must be at most ${MAX_REASON} printable characters on one line`);
  }
  if (redactText(reason) !== reason) {
    throw new UsageError('--reason seems to contain an IP address; it is stored in the clear, so refer to a ticket instead');
  }
  return reason;
}

export function operatorContext(
  values: { operator?: string | undefined; reason?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): OperatorContext {
  return { reason: requireReason(values.reason), operator: resolveOperator(values.operator, env) };
}
