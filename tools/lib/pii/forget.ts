import type { ClientBase } from 'pg';
import type { Keyring } from '../../../lambda/masking/keyring.js';
import { Tokenizer } from '../../../lambda/masking/tokenize.js';
import { PII_FIELDS } from '../../../lambda/record/pii-fields.js';
import { FORGOTTEN_OUTCOME, rowForgottenAt } from './forgotten-users.js';
import { writeAudit } from './audit.js';
import type { OperatorContext } from './operator-context.js';
import { TOKEN_VALUES } from './token-columns.js';

export interface ForgetResult {
  userId: string;
  erasedAt: Date;
  auditId: string;
  /** The user's rows in user_logins: kept, masked, for analytics. */
  loginRows: number;
  /** The user's rows whose sealed originals were cleared. */
  clearedRows: number;
  /** Distinct values whose last sealed copies this erasure cleared: from now on these originals exist nowhere in the database. */
  shredded: { ip: number; device_id: number };
  /** Distinct values that users who were not forgotten also carry: kept for them. */
  keptShared: number;
  /** Distinct values no live row carries whose copies were already gone (an earlier erasure). */
  alreadyGone: number;
  /** Quarantined messages whose preview names the user, and what became of their sealed bodies. */
  quarantine: { sealed: number; shredded: number; notPermitted: boolean };
}

/**
 * The user's rows lose their sealed originals (each row holds its own, so
 * no other user's are touched); the user's distinct tokens that no live row
 * of anyone else carries are recorded in pii_erasures: from now on those
 * originals exist nowhere in the database. The caller's marker (written just
 * before, same transaction) already makes this user's own rows dead, which
 * is also what lets a second erasure of a shared value be recorded once
 * every user carrying it was forgotten.
 */
const SHRED_SQL = `
WITH candidates AS (
  SELECT DISTINCT t.kind, t.token, l.user_id
  FROM user_logins l
  CROSS JOIN LATERAL (VALUES ${TOKEN_VALUES('l')}) AS t(kind, token)
  WHERE l.user_id = $1 AND t.token IS NOT NULL
), doomed AS (
  SELECT c.kind, c.token, c.user_id FROM candidates c
  WHERE CASE c.kind
${PII_FIELDS.map((f) => `    WHEN '${f.kind}' THEN NOT EXISTS (
      SELECT 1 FROM user_logins o WHERE o.${f.column} = c.token AND ${rowForgottenAt('o')} IS NULL)`).join('\n')}
  END
), cleared AS (
  UPDATE user_logins l SET pii_sealed = NULL, pii_dek_id = NULL
  WHERE l.user_id = $1 AND (l.pii_sealed IS NOT NULL OR l.pii_dek_id IS NOT NULL)
  RETURNING 1
), shredded AS (
  -- What the user's rows held before this statement (its snapshot): the values it clears.
  SELECT DISTINCT d.kind, d.token FROM doomed d JOIN user_logins h ON h.user_id = $1 AND h.pii_sealed IS NOT NULL
  CROSS JOIN LATERAL (VALUES ${TOKEN_VALUES('h')}) AS t(kind, token)
  WHERE t.kind = d.kind AND t.token = d.token
), recorded AS (
  -- The user id from the rows, not $1: a parameter is folded into the plan, and one longer
  -- than the column (a quarantined message's user_id, which no login row has) would fail it.
  INSERT INTO pii_erasures (token, kind, user_id, stated_operator, reason)
  SELECT d.token, d.kind, d.user_id, $2, $3 FROM doomed d
  ON CONFLICT (token) DO NOTHING
)
SELECT (SELECT count(*) FROM candidates) AS candidates,
       (SELECT count(*) FROM doomed) AS doomed,
       (SELECT count(*) FROM cleared) AS cleared,
       (SELECT count(*) FROM shredded WHERE kind = 'ip') AS ip,
       (SELECT count(*) FROM shredded WHERE kind = 'device_id') AS device_id`;

/**
 * Quarantined bodies are the user's when their user_token is the user id's
 * token under any key version held ($2), which the pipeline stores for every
 * body with a string user_id, a login Postgres refused included; or, for
 * bodies quarantined before that column (migration 11), when their preview
 * kept the user_id in the clear.
 */
const USERS_BODIES = `(user_token = ANY ($2::varchar[]) OR preview->'fields'->>'user_id' = $1)`;

const QUARANTINE_SQL = `
SELECT count(*) FILTER (WHERE body_ciphertext IS NOT NULL) AS sealed,
       has_column_privilege('user_logins_quarantine', 'body_ciphertext', 'UPDATE')
         AND has_column_privilege('user_logins_quarantine', 'body_nonce', 'UPDATE')
         AND has_column_privilege('user_logins_quarantine', 'body_dek_id', 'UPDATE') AS may_shred
FROM user_logins_quarantine WHERE ${USERS_BODIES}`;

/** The user id's tokens under every key version the keyring holds: what a quarantined body's user_token may be. */
export function userTokens(keyring: Keyring, userId: string): string[] {
  return new Tokenizer(keyring).allTokens('user_id', userId).map((t) => t.token);
}

/**
 * Erasure by crypto-shredding, in one transaction:
 * 1. lock pii_vault (SHARE ROW EXCLUSIVE; the operator role may take it
 *    because it may DELETE there): the pipeline no longer writes the vault
 *    (migration 14), but replay takes the same lock, so a forget and a
 *    replay of the same user's message queue instead of crossing.
 * 2. write the "forgotten" audit row (see forgotten-users.ts);
 * 3. clear the sealed originals of the user's rows; record in pii_erasures
 *    the values only forgotten users carried;
 * 4. shred the sealed bodies of quarantined messages that name the user
 *    (NULL the ciphertext; reason and masked preview stay), if the role may.
 * The login rows stay: they hold tokens only.
 */
export async function forget(
  client: ClientBase,
  request: { userId: string; context: OperatorContext; userTokens: readonly string[] },
  options: { lockTimeoutMs?: number } = {},
): Promise<ForgetResult> {
  const { userId, context, userTokens: tokens } = request;
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  let committed = false;
  try {
    await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${options.lockTimeoutMs ?? 10_000}ms`]);
    await client.query('LOCK TABLE pii_vault IN SHARE ROW EXCLUSIVE MODE');
    const audit = await writeAudit(client, {
      context,
      subjectKind: 'user_id',
      subject: userId,
      outcome: FORGOTTEN_OUTCOME,
      valuesReturned: 0,
    });
    const shred = await client.query<{ candidates: string; doomed: string; cleared: string; ip: string; device_id: string }>(SHRED_SQL, [
      userId,
      context.operator,
      context.reason,
    ]);
    const s = shred.rows[0];
    const ip = Number(s?.ip ?? 0);
    const deviceId = Number(s?.device_id ?? 0);
    const candidates = Number(s?.candidates ?? 0);
    const doomed = Number(s?.doomed ?? 0);

    const logins = await client.query<{ n: string }>('SELECT count(*) AS n FROM user_logins WHERE user_id = $1', [userId]);
    const q = (await client.query<{ sealed: string; may_shred: boolean }>(QUARANTINE_SQL, [userId, tokens])).rows[0];
    const sealed = Number(q?.sealed ?? 0);
    let quarantineShredded = 0;
    if (sealed > 0 && q?.may_shred) {
      const updated = await client.query(
        `UPDATE user_logins_quarantine SET body_dek_id = NULL, body_nonce = NULL, body_ciphertext = NULL
         WHERE ${USERS_BODIES} AND body_ciphertext IS NOT NULL`,
        [userId, tokens],
      );
      quarantineShredded = updated.rowCount ?? 0;
    }
    await client.query('COMMIT');
    committed = true;
    return {
      userId,
      erasedAt: audit.requestedAt,
      auditId: audit.id,
      loginRows: Number(logins.rows[0]?.n ?? 0),
      clearedRows: Number(s?.cleared ?? 0),
      shredded: { ip, device_id: deviceId },
      keptShared: candidates - doomed,
      alreadyGone: doomed - ip - deviceId,
      quarantine: { sealed, shredded: quarantineShredded, notPermitted: sealed > 0 && !q?.may_shred },
    };
  } finally {
    if (!committed) await client.query('ROLLBACK').catch(() => undefined);
  }
}
