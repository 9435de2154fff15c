import { isIP, isIPv4 } from 'node:net';

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

/**
 * What every address has, checked before node's parser: IPv4 has three dots
 * and no colon; IPv6 has `::`, or seven colons, or six and an IPv4 tail. Most
 * runs in a log line are times ("14:12:15.812") that fail this, and node's
 * IPv6 check is a large regular expression compiled on first use (4–6 ms of
 * every cold start, in the first log line's timestamp).
 */
function mayBeAddress(run: string): boolean {
  let dots = 0;
  let colons = 0;
  for (let i = 0; i < run.length; i += 1) {
    const c = run.charCodeAt(i);
    if (c === 46) dots += 1;
    else if (c === 58) colons += 1;
  }
  if (colons === 0) return dots === 3;
  return run.includes('::') ? dots === 0 || dots === 3 : colons === 7 ? dots === 0 : colons === 6 && dots === 3;
}

/**
 * The address a run starts with, if any: the run itself, or the run less
 * trailing dots and colons, one at a time ("1.2.3.4." ends a sentence, but
 * "2001:db8::" is an address and "2001:db8:::" is that address and a colon).
 */
function leadingAddress(run: string): string | undefined {
  for (let candidate = run; candidate.length > 0; candidate = candidate.slice(0, -1)) {
    if (mayBeAddress(candidate) && isIP(candidate)) return candidate;
    const last = candidate.charCodeAt(candidate.length - 1);
    if (last !== 46 && last !== 58) return undefined;
  }
  return undefined;
}

export function redactText(text: string): string {
  return text.replace(ADDRESS_LIKE, (run) => {
    const address = leadingAddress(run);
    if (address !== undefined) return `[ip]${run.slice(address.length)}`;
    // An IPv4 address glued to hex letters ("dead1.2.3.4") is still one.
    return run.replace(IPV4_INSIDE, (m) => (isIPv4(m) ? '[ip]' : m));
  });
}

export function redactReplacer(key: string, value: unknown): unknown {
  if (PII_KEYS.has(key.toLowerCase())) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  return value;
}
