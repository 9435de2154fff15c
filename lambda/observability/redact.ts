import { isIP } from 'node:net';

/**
 * The one place where log output is scrubbed. Call sites never log bodies or
 * PII on purpose; this replacer (wired into the Powertools Logger as its JSON
 * replacer) is the guarantee for the day one does by mistake: fields with PII
 * names are dropped, and IP-address-shaped text inside any string is masked.
 */
const PII_KEYS = new Set(['ip', 'device_id', 'deviceid', 'body', 'password', 'secretstring', 'plaintext']);

// Runs of characters an IPv4/IPv6 address is made of; each run is then
// checked with the real parser, so times, versions and hex tokens survive.
const ADDRESS_LIKE = /[0-9A-Fa-f:.]{3,}/g;

const IPV4_INSIDE = /\d{1,3}(?:\.\d{1,3}){3}/g;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(ADDRESS_LIKE, (run) => {
    const trimmed = run.replace(/[.:]+$/, '');
    if (isIP(trimmed)) return `[ip]${run.slice(trimmed.length)}`;
    // An IPv4 address glued to hex letters ("dead1.2.3.4") is still one.
    return run.replace(IPV4_INSIDE, (m) => (isIP(m) ? '[ip]' : m));
  });
}

export function redactReplacer(key: string, value: unknown): unknown {
  if (PII_KEYS.has(key.toLowerCase())) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  return value;
}
