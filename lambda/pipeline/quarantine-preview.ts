import type { Tokenizer } from '../masking/tokenize.js';

const SAFE_FIELDS = new Set(['user_id', 'device_type', 'locale', 'app_version']);
const PII_FIELDS = { ip: 'ip', device_id: 'device_id' } as const;
const MAX_FIELDS = 20;
const MAX_TEXT = 128;

/**
 * What an operator may see of a quarantined body without unsealing it: field
 * names, value types, non-PII values (truncated) and the tokens of the PII
 * fields. Unknown fields show their type only, since a malformed body may
 * carry PII under any name. Output is always storable as jsonb: no NUL, no
 * lone surrogates, bounded size.
 */
export function quarantinePreview(json: unknown, bodyLength: number, tokenizer: Tokenizer): string {
  if (json === undefined) return JSON.stringify({ type: 'unparseable', length: bodyLength });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return JSON.stringify({ type: typeName(json), length: bodyLength });
  }
  const fields: Record<string, string> = {};
  const keys = Object.keys(json);
  for (const key of keys.slice(0, MAX_FIELDS)) {
    const value = (json as Record<string, unknown>)[key];
    const name = storable(key).slice(0, 64);
    if (typeof value === 'string' && SAFE_FIELDS.has(key)) {
      fields[name] = storable(value).slice(0, MAX_TEXT);
    } else if (typeof value === 'string' && key in PII_FIELDS) {
      fields[name] = `token:${tokenizer.token(PII_FIELDS[key as keyof typeof PII_FIELDS], value)}`;
    } else {
      fields[name] = `<${typeName(value)}>`;
    }
  }
  return JSON.stringify({ type: 'object', length: bodyLength, fields, more_fields: Math.max(0, keys.length - MAX_FIELDS) });
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').toWellFormed();
}
