/**
 * The one place where log output is scrubbed. Call sites never log bodies or
 * PII on purpose; this replacer (wired into the Powertools Logger as its JSON
 * replacer) is the guarantee for the day one does by mistake: fields with PII
 * names are dropped, and IP-address-shaped text inside any string is masked.
 */
const PII_KEYS = new Set(['ip', 'device_id', 'deviceid', 'body', 'password', 'secretstring', 'plaintext']);

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
// Two or more hex groups joined by colons, with at least one "::" or 7 colons.
const IPV6 = /\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}\b|\b[0-9a-f]{0,4}::(?:[0-9a-f]{1,4}:?){0,6}\b/gi;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(IPV4, '[ip]').replace(IPV6, (m) => (m.includes('::') || m.split(':').length > 3 ? '[ip]' : m));
}

export function redactReplacer(key: string, value: unknown): unknown {
  if (PII_KEYS.has(key.toLowerCase())) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  return value;
}
