import { isIP } from 'node:net';
import { PII_FIELDS } from '../record/pii-fields.js';

/**
 * The one place where log output is scrubbed. Call sites never log bodies or
 * PII on purpose; this replacer (wired into the Powertools Logger as its JSON
 * replacer) is the guarantee for the day one does by mistake: fields with PII
 * names are dropped, and IP-address-shaped text inside any string is masked.
 */
const PII_KEYS = new Set<string>([
  ...PII_FIELDS.map((f) => f.field),
  'deviceid',
  'body',
  'password',
  'secretstring',
  'plaintext',
]);

// Runs of characters an IPv4/IPv6 address is made of; each run is then
// checked with the real parser, so times, versions and hex tokens survive.
const ADDRESS_LIKE = /[0-9A-Fa-f:.]{3,}/g;

export const REDACTED = '[redacted]';

/**
 * What every address has, checked before node's parser: IPv4 has three dots
 * and no colon; IPv6 has `::`, or seven colons, or six and an IPv4 tail. Most
 * runs in a log line are times ("14:12:15.812") that fail this, and node's
 * IPv6 check is a large regular expression compiled on first use, which the
 * first log line's timestamp would otherwise pay for in every cold start
 * (docs/performance.md).
 */
function mayBeAddress(run: string): boolean {
  const { dots, colons } = separators(run);
  if (colons === 0) return dots === 3;
  return run.includes('::') ? dots === 0 || dots === 3 : colons === 7 ? dots === 0 : colons === 6 && dots === 3;
}

function separators(run: string): { dots: number; colons: number } {
  let dots = 0;
  let colons = 0;
  for (let i = 0; i < run.length; i += 1) {
    const c = run.charCodeAt(i);
    if (c === 46) dots += 1;
    else if (c === 58) colons += 1;
  }
  return { dots, colons };
}

/** The longest text node's parser takes for an address ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"). */
const MAX_ADDRESS_LENGTH = 45;

/** Dots and colons enough for an address somewhere in the run (IPv4: 3 dots; IPv6: 2 colons). */
function mayHoldAddress(run: string): boolean {
  const { dots, colons } = separators(run);
  return dots >= 3 || colons >= 2;
}

/**
 * Every address inside a run, masked: from each position the longest text
 * that is an address, so an address glued to hex letters or digits on either
 * side ("ad2001:db8::1", "2001:db8::1abcdef", "dead1.2.3.4") or followed by
 * punctuation ("1.2.3.4.", "2001:db8:::") is found too. Whatever the run
 * holds around an address, the scan reaches the address's first character
 * with nothing matched across it, or masks text that overlaps it: no whole
 * address survives.
 */
function maskAddresses(run: string): string {
  let out = '';
  let kept = 0;
  for (let i = 0; i + 3 <= run.length; ) {
    let end = 0;
    for (let j = Math.min(run.length, i + MAX_ADDRESS_LENGTH); j >= i + 3; j -= 1) {
      const candidate = run.slice(i, j);
      if (mayBeAddress(candidate) && isIP(candidate)) {
        end = j;
        break;
      }
    }
    if (end === 0) {
      i += 1;
      continue;
    }
    out += `${run.slice(kept, i)}[ip]`;
    kept = end;
    i = end;
  }
  return kept === 0 ? run : out + run.slice(kept);
}

export function redactText(text: string): string {
  return text.replace(ADDRESS_LIKE, (run) => (mayHoldAddress(run) ? maskAddresses(run) : run));
}

export function redactReplacer(key: string, value: unknown): unknown {
  if (PII_KEYS.has(key.toLowerCase())) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  return value;
}
