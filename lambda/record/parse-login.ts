import type { z } from 'zod/mini';
import { PermanentRecordError, QuarantineReason } from '../errors.js';
import { LoginMessageSchema, type LoginMessage } from './login-schema.js';

export type ParseResult =
  | { ok: true; message: LoginMessage }
  | { ok: false; error: PermanentRecordError; json?: unknown };

/**
 * Body text → a validated login, or the permanent reason it can never be one.
 * Never throws: every body gets an outcome. Error details name fields and
 * rules only, never values, so they are safe to store and log.
 */
export function parseLogin(body: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: new PermanentRecordError(QuarantineReason.InvalidJson, 'body is not valid JSON') };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    return {
      ok: false,
      json,
      error: new PermanentRecordError(QuarantineReason.NotAnObject, `body is ${kind}, not a JSON object`),
    };
  }
  const parsed = LoginMessageSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      json,
      error: new PermanentRecordError(QuarantineReason.SchemaViolation, describeIssues(parsed.error.issues)),
    };
  }
  return { ok: true, message: parsed.data };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 10)
    .map((issue) => {
      const field = issue.path.map(String).join('.') || '(body)';
      // zod's "expected string, received undefined" for a missing field reads badly.
      if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${field}: is required`;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}
