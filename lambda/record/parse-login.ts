import type { z } from 'zod/mini';
import { PermanentRecordError, QuarantineReason } from '../errors.js';
import { ENVELOPE_PAYLOAD, envelopeKind, envelopePayload, type EnvelopeKind, type JsonObject } from './envelope.js';
import { LoginMessageSchema, parseCommonLogin, type LoginMessage } from './login-schema.js';

export type ParseResult =
  | { ok: true; message: LoginMessage; envelope?: EnvelopeKind }
  | { ok: false; error: PermanentRecordError; json?: unknown; envelope?: EnvelopeKind };

export interface ParseOptions {
  /**
   * Open SNS notifications and EventBridge events and validate the login
   * inside (UNWRAP_ENVELOPES); on unless set to false.
   */
  unwrapEnvelopes?: boolean;
}

/**
 * Body text → a validated login, or the permanent reason it can never be one.
 * Never throws: every body gets an outcome. Error details name fields and
 * rules only, never values, so they are safe to store and log. A login in an
 * envelope is validated as a bare one, and its details start with the
 * envelope's kind ("sns: user_id: is required"). `json` is what a quarantine
 * preview shows: the login when there is one, else the body.
 */
export function parseLogin(body: string, options?: ParseOptions): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: new PermanentRecordError(QuarantineReason.InvalidJson, 'body is not valid JSON') };
  }
  if (!isJsonObject(json)) return notAnObject(json, 'body');
  const unwrap = options?.unwrapEnvelopes ?? true;
  const kind = unwrap ? envelopeKind(json) : undefined;
  if (kind) return parseEnveloped(kind, json);
  const result = validateLogin(json, '');
  if (!unwrap && !result.ok) return withEnvelopeHint(result, json);
  return result;
}

function parseEnveloped(kind: EnvelopeKind, envelope: JsonObject): ParseResult {
  const payload = envelopePayload(kind, envelope);
  const where = `${kind}: ${ENVELOPE_PAYLOAD[kind]}`;
  if (!payload.parsed) {
    const error = new PermanentRecordError(QuarantineReason.InvalidJson, `${where} is not valid JSON`);
    return { ok: false, error, json: envelope, envelope: kind };
  }
  const result = isJsonObject(payload.value) ? validateLogin(payload.value, `${kind}: `) : notAnObject(payload.value, where);
  return { ...result, envelope: kind };
}

const ENVELOPE_NAMES: Readonly<Record<EnvelopeKind, string>> = { sns: 'an SNS notification', eventbridge: 'an EventBridge event' };

/** With unwrapping off, an envelope is a schema violation as any body; the detail says why it has no login fields. */
function withEnvelopeHint(result: ParseResult & { ok: false }, json: JsonObject): ParseResult {
  const kind = envelopeKind(json);
  if (!kind) return result;
  const detail = `${result.error.detail} (the body is ${ENVELOPE_NAMES[kind]}; envelope unwrapping is off)`;
  return { ...result, error: new PermanentRecordError(result.error.reason, detail) };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notAnObject(value: unknown, what: string): ParseResult {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return {
    ok: false,
    json: value,
    error: new PermanentRecordError(QuarantineReason.NotAnObject, `${what} is ${kind}, not a JSON object`),
  };
}

function validateLogin(json: JsonObject, prefix: string): ParseResult {
  const common = parseCommonLogin(json);
  if (common) return { ok: true, message: common };
  const parsed = LoginMessageSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      json,
      error: new PermanentRecordError(QuarantineReason.SchemaViolation, prefix + describeIssues(parsed.error.issues)),
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
