import type { Tokenizer } from '../masking/tokenize.js';
import { LoginMessageSchema } from '../record/login-schema.js';
import { PII_FIELDS } from '../record/pii-fields.js';

/** The login's own fields whose values may be shown, each only when valid by the schema's rule for it. */
const SHOWN_FIELDS = ['user_id', 'device_type', 'locale', 'app_version'] as const;
const KNOWN = new Set<string>([...SHOWN_FIELDS, ...PII_FIELDS.map((f) => f.field)]);

/**
 * What an analyst may see of a quarantined body without unsealing it (the
 * preview column): the login's known fields, a value only when it passes its
 * own field's rule (a device_type that fails "short lowercase word" may be
 * anything: it shows as its type), the PII fields as tokens, and of the
 * other fields their count alone, never their names or values: a malformed
 * body may carry PII under any name. Always storable as jsonb.
 */
export function quarantinePreview(json: unknown, bodyLength: number, tokenizer: Tokenizer): string {
  if (json === undefined) return JSON.stringify({ type: 'unparseable', length: bodyLength });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return JSON.stringify({ type: typeName(json), length: bodyLength });
  }
  const body = json as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const name of SHOWN_FIELDS) {
    if (!(name in body)) continue;
    const value = body[name];
    const valid = typeof value === 'string' && LoginMessageSchema.shape[name].safeParse(value).success;
    fields[name] = valid ? value : `<${typeName(value)}>`;
  }
  for (const { field, kind } of PII_FIELDS) {
    if (!(field in body)) continue;
    const value = body[field];
    fields[field] = typeof value === 'string' ? `token:${tokenizer.token(kind, value)}` : `<${typeName(value)}>`;
  }
  const unknown = Object.keys(body).filter((k) => !KNOWN.has(k)).length;
  return JSON.stringify({ type: 'object', length: bodyLength, fields, unknown_fields: unknown });
}

/**
 * The user's identity kept with a quarantined body: the token of its
 * user_id (masking key, kind 'user_id'), when the body is a JSON object with
 * a string user_id, valid or not. forget matches it; nobody can read it.
 */
export function quarantineUserToken(json: unknown, tokenizer: Tokenizer): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const userId = (json as Record<string, unknown>).user_id;
  return typeof userId === 'string' ? tokenizer.token('user_id', userId) : null;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
