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

/**
 * One login message. Column limits come from the exercise's DDL; unknown
 * extra fields are ignored so producers can add fields without breaking us.
 */
export const LoginMessageSchema = z.object({
  user_id: storableText(128),
  device_type: storableText(32).check(z.regex(DEVICE_TYPE, 'must be a short lowercase word (a-z, digits, _ or -)')),
  ip: z.pipe(
    storableText(64),
    z.transform((value, ctx) => {
      const canonical = canonicalIp(value);
      if (canonical === null) {
        ctx.issues.push({ code: 'custom', message: 'must be an IPv4 or IPv6 address', input: value });
        return z.NEVER;
      }
      return canonical;
    }),
  ),
  device_id: storableText(256),
  locale: z.pipe(
    z.nullish(storableText(32).check(z.regex(LOCALE, 'must be a language tag such as en, pt-BR or en_US'))),
    z.transform((v) => v ?? null),
  ),
  app_version: storableText(64),
});

export type LoginMessage = z.output<typeof LoginMessageSchema>;
