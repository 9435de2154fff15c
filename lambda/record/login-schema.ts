import * as z from 'zod/mini';
import '../zod-messages.js';
import { canonicalIp } from './ip-address.js';

/**
 * Text that Postgres and UTF-8 can hold as is: no NUL (text columns reject
 * \u0000), no lone surrogates (they would be silently replaced on encoding).
 */
const storableText = (max: number) =>
  z.string().check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((s) => !s.includes('\u0000'), 'must not contain NUL characters'),
    z.refine((s) => s.isWellFormed(), 'must be well-formed Unicode'),
  );

/**
 * device_type and locale land in analysts' columns as sent, so they must be
 * what they say, not free text that could carry a name or an address:
 * a device type is a short lowercase word ("ios", "android", "smart_tv"); a
 * locale has the shape of a BCP 47 language tag (RFC 5646 §2.1, letters and
 * digits only: a 2–8 letter first subtag, then subtags of 1–8), checked for
 * shape, not against the IANA registry. iOS and Android identifiers put "_"
 * between subtags ("en_US"), so "_" is accepted as well as "-".
 */
const DEVICE_TYPE = /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/;
const LOCALE = /^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/;

/** Each field's longest value, in UTF-16 code units as zod counts them. */
const MAX = { user_id: 128, device_type: 32, ip: 64, device_id: 256, locale: 32, app_version: 64 } as const;

/**
 * One login message. Column limits come from the exercise's DDL; unknown
 * extra fields are ignored so producers can add fields without breaking us.
 */
export const LoginMessageSchema = z.object({
  user_id: storableText(MAX.user_id),
  device_type: storableText(MAX.device_type).check(z.regex(DEVICE_TYPE, 'must be a short lowercase word (a-z, digits, _ or -)')),
  ip: z.pipe(
    storableText(MAX.ip),
    z.transform((value, ctx) => {
      const canonical = canonicalIp(value);
      if (canonical === null) {
        ctx.issues.push({ code: 'custom', message: 'must be an IPv4 or IPv6 address', input: value });
        return z.NEVER;
      }
      return canonical;
    }),
  ),
  device_id: storableText(MAX.device_id),
  locale: z.pipe(
    z.nullish(storableText(MAX.locale).check(z.regex(LOCALE, 'must be a language tag such as en, pt-BR or en_US'))),
    z.transform((v) => v ?? null),
  ),
  app_version: storableText(MAX.app_version),
});

export type LoginMessage = z.output<typeof LoginMessageSchema>;

/**
 * storableText(max)'s length limits alone: for a value that must also match
 * DEVICE_TYPE or LOCALE, which admit only ASCII letters, digits, "_" and "-",
 * and so already rule out NUL and lone surrogates.
 */
const isShort = (value: unknown, max: number): value is string => typeof value === 'string' && value.length >= 1 && value.length <= max;

/** What storableText(max) accepts, as one expression for the fast path below. */
const isStorable = (value: unknown, max: number): value is string => isShort(value, max) && !value.includes('\u0000') && value.isWellFormed();

/**
 * The schema's parse for the shape nearly every message has, all fields
 * valid, without zod's per-field machinery; undefined for anything else,
 * which the caller then hands to the schema, so the schema stays the one
 * judge of what is refused and why. Hand-written because zod's object parse
 * is a visible share of the handler's CPU per record (docs/performance.md).
 * Same rules, limits and patterns as the schema above, and the same output
 * in the same key order; test/unit/record/login-fast-path.test.ts checks it
 * against the schema on arbitrary valid and invalid logins.
 */
export function parseCommonLogin(json: Readonly<Record<string, unknown>>): LoginMessage | undefined {
  const { user_id, device_type, ip, device_id, locale, app_version } = json;
  if (!isStorable(user_id, MAX.user_id) || !isStorable(device_id, MAX.device_id)) return undefined;
  if (!isStorable(app_version, MAX.app_version) || !isStorable(ip, MAX.ip)) return undefined;
  if (!isShort(device_type, MAX.device_type) || !DEVICE_TYPE.test(device_type)) return undefined;
  if (locale !== undefined && locale !== null && !(isShort(locale, MAX.locale) && LOCALE.test(locale))) return undefined;
  const canonical = canonicalIp(ip);
  if (canonical === null) return undefined;
  return { user_id, device_type, ip: canonical, device_id, locale: locale ?? null, app_version };
}
