import { isIP } from 'node:net';

/**
 * One spelling per address, so the same address always gets the same token:
 * IPv6 lower-case and compressed, IPv4-mapped IPv6 (::ffff:1.2.3.4) as IPv4.
 * Returns null for anything that is not an address (including IPv4 with
 * leading zeros, which tools read as octal or decimal inconsistently, and
 * IPv6 zone ids, which are local to one host).
 */
export function canonicalIp(value: string): string | null {
  if (value.includes('%')) return null;
  const family = isIP(value);
  if (family === 4) return value;
  if (family !== 6) return null;
  // WHATWG URL parsing implements RFC 5952 canonical text for IPv6.
  const host = new URL(`http://[${value}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = parseInt(mapped[1] ?? '0', 16);
    const lo = parseInt(mapped[2] ?? '0', 16);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return host;
}
