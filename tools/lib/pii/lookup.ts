import type { Keyring } from '../../../lambda/masking/keyring.js';
import { Tokenizer } from '../../../lambda/masking/tokenize.js';
import { piiColumn, type PiiColumn, type PiiKind } from '../../../lambda/record/pii-fields.js';
import { canonicalIp } from '../../../lambda/record/ip-address.js';
import { UsageError } from '../cli.js';

export interface LookupResult {
  kind: PiiKind;
  column: PiiColumn;
  /** Current version first, then older ones, newest first. */
  tokens: { version: string; token: string; current: boolean }[];
}

/**
 * The tokens a value has under every key version the keyring holds, so
 * support can find rows written before and after a rotation without
 * decrypting anything. An ip is canonicalised exactly as the pipeline does
 * (so "::ffff:1.2.3.4" finds "1.2.3.4"); a device id is taken as is, since
 * the pipeline does not normalise it either. Errors never repeat the value.
 */
export function lookupTokens(keyring: Keyring, kind: PiiKind, given: string): LookupResult {
  let value = given;
  if (kind === 'ip') {
    const canonical = canonicalIp(given.trim());
    if (canonical === null) throw new UsageError('--ip is not an IPv4 or IPv6 address');
    value = canonical;
  } else if (value.length === 0) {
    throw new UsageError('--device-id must not be empty');
  }
  const tokens = new Tokenizer(keyring)
    .allTokens(kind, value)
    .map(({ version, token }) => ({ version, token, current: version === keyring.current }))
    .sort((a, b) => Number(b.current) - Number(a.current) || Number(b.version.slice(1)) - Number(a.version.slice(1)));
  return { kind, column: piiColumn(kind), tokens };
}

/** Plain lines for a terminal; the SQL line can be pasted into psql as is. */
export function formatLookup(result: LookupResult): string {
  const lines = [`${result.column} (${result.kind}): ${result.tokens.length} key version${result.tokens.length === 1 ? '' : 's'}`];
  for (const t of result.tokens) lines.push(`  ${t.version.padEnd(4)} ${t.token}${t.current ? '  (current)' : ''}`);
  const list = result.tokens.map((t) => `'${t.token}'`).join(', ');
  lines.push(`  SQL: SELECT * FROM user_logins WHERE ${result.column} IN (${list});`);
  return `${lines.join('\n')}\n`;
}
