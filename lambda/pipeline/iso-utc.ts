const DAY_MS = 86_400_000;
/** Year 10000 and later: toISOString writes a six-digit, signed year. */
const FOUR_DIGIT_YEARS_END = 253_402_300_800_000;

let cachedDay = Number.NaN;
let cachedDate = '';

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * new Date(ms).toISOString(), by arithmetic on the time of day under the
 * date of the previous call's day: a batch's logins share their day, and
 * the builtin formats each whole date again, at several times the cost, on
 * the hot path (once per login). Outside years 1970–9999 the builtin does it.
 * test/unit/pipeline/iso-utc.test.ts holds the two equal.
 */
export function isoUtc(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= FOUR_DIGIT_YEARS_END) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 11);
    cachedDay = day;
  }
  const inDay = ms - day * DAY_MS;
  const hours = Math.floor(inDay / 3_600_000);
  const minutes = Math.floor((inDay % 3_600_000) / 60_000);
  const seconds = Math.floor((inDay % 60_000) / 1000);
  return `${cachedDate}${two(hours)}:${two(minutes)}:${two(seconds)}.${three(inDay % 1000)}Z`;
}
