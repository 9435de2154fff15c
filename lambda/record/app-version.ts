/**
 * app_version → the exercise's integer column, order-preserving:
 * major·10⁶ + minor·10³ + patch, so "0.96" < "2.3.0" < "2.10.0" in SQL as in
 * semver. Missing parts count as 0 ("2.00" → 2.0.0). A version that does not fit
 * (more than three parts, a part over 999, a major over 2146, letters) yields
 * null: the row is still written and the original string is kept beside it,
 * because a version format is no reason to lose a login.
 */
const DOTTED = /^(\d{1,4})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?$/;
const MAX_MAJOR = 2146; // 2146·10⁶ + 999·10³ + 999 < 2³¹ − 1

export function encodeAppVersion(version: string): number | null {
  const match = DOTTED.exec(version);
  if (!match) return null;
  const [major, minor, patch] = [match[1], match[2], match[3]].map((p) => Number(p ?? '0')) as [
    number,
    number,
    number,
  ];
  if (major > MAX_MAJOR) return null;
  return major * 1_000_000 + minor * 1_000 + patch;
}

export function decodeAppVersion(encoded: number): string {
  const major = Math.floor(encoded / 1_000_000);
  const minor = Math.floor((encoded % 1_000_000) / 1_000);
  return `${major}.${minor}.${encoded % 1_000}`;
}
