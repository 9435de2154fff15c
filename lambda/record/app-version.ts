/**
 * app_version → the exercise's integer column, order-preserving:
 * major·10⁶ + minor·10³ + patch, so "0.96" < "2.3.0" < "2.10.0" in SQL as in
 * semver. Missing parts count as 0 ("2.00" → 2.0.0). A version that does not fit
 * (more than three parts, a part over 999, a major over 2146, letters) yields
 * null: the row is still written and the original string is kept beside it,
 * because a version format is no reason to lose a login.
 *
 * The accepted form is /^(\d{1,4})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?$/ (the unit
 * test holds the two equal), read by hand: every login's version passes here,
 * and a match array, its substrings and the parts' array would be garbage per
 * login.
 */
const MAX_MAJOR = 2146; // 2146·10⁶ + 999·10³ + 999 < 2³¹ − 1
const DOT = 0x2e;
const ZERO = 0x30;

export function encodeAppVersion(version: string): number | null {
  const length = version.length;
  let at = 0;
  let encoded = 0;
  for (let part = 0; part < 3; part += 1) {
    let value = 0;
    if (at < length || part === 0) {
      if (part > 0 && version.charCodeAt(at++) !== DOT) return null;
      const start = at;
      const end = Math.min(length, start + (part === 0 ? 4 : 3));
      for (let digit = version.charCodeAt(at) - ZERO; at < end && digit >= 0 && digit <= 9; digit = version.charCodeAt(at) - ZERO) {
        value = value * 10 + digit;
        at += 1;
      }
      if (at === start || (part === 0 && value > MAX_MAJOR)) return null;
    }
    encoded = encoded * 1_000 + value;
  }
  return at === length ? encoded : null;
}

export function decodeAppVersion(encoded: number): string {
  const major = Math.floor(encoded / 1_000_000);
  const minor = Math.floor((encoded % 1_000_000) / 1_000);
  return `${major}.${minor}.${encoded % 1_000}`;
}
