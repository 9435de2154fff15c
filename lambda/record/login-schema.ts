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
 * One login message. Column limits come from the exercise's DDL; unknown
 * extra fields are ignored so producers can add fields without breaking us.
 */
export const LoginMessageSchema = z.object({
  user_id: storableText(128),
  device_type: storableText(32),
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
    z.nullish(storableText(32)),
    z.transform((v) => v ?? null),
  ),
  app_version: storableText(64),
});

export type LoginMessage = z.output<typeof LoginMessageSchema>;
