import type { ClientBase } from 'pg';
import type { Keyring } from '../../../lambda/masking/keyring.js';
import { tokenize } from '../../../lambda/masking/tokenize.js';
import { PII_FIELDS, piiColumn, type PiiColumn, type PiiKind } from '../../../lambda/record/pii-fields.js';
import { KekError } from '../../../lambda/vault/key-encryption-key.js';
import { VaultAuthenticationError } from '../../../lambda/vault/seal.js';
import type { StoredDataKeyRef, VaultReader } from '../../../lambda/vault/vault-reader.js';
import { openOriginals, originalsKeyIds, parseOriginals, type OriginalsRow } from '../../../lambda/vault/sealed-originals.js';
import { writeAudit, type AuditOutcome } from './audit.js';
import { rowForgottenAt } from './forgotten-users.js';
import type { OperatorContext } from './operator-context.js';
import { auditSubject, type UnmaskSubject } from './subject.js';
import { TOKEN_COLUMNS, TOKEN_VALUES } from './token-columns.js';

interface UnmaskedValue {
  kind: PiiKind;
  token: string;
  keyVersion: string;
  value: string;
  /** Live login rows carrying this token (for a user: that user's rows). */
  rows: number;
}

export interface UnmaskResult {
  outcome: 'ok' | 'partial' | 'erased' | 'not_found';
  subject: UnmaskSubject;
  values: UnmaskedValue[];
  /** Tokens the subject's live rows carry whose value the vault does not hold. */
  missing: { kind: PiiKind; token: string; erasedAt: Date | null }[];
  /** The erasure that covers the subject, or some of its rows. */
  erasedAt: Date | null;
  /** The subject's rows that an erasure covers (for a token: rows of forgotten users). */
  erasedRows: number;
  auditId: string;
}

/** A value opened fine but is not the value its token was made from. */
export class VaultIntegrityError extends Error {
  override readonly name = 'VaultIntegrityError';
}

/** A login row whose sealed originals unmask opens, with its tokens by column: one per distinct set of tokens it needs. */
type SealedLoginRow = { message_id: string; key_version: string; pii_dek_id: string; pii_sealed: Buffer } & Record<PiiColumn, string>;

/** A token unmask must show, and how many live rows carry it. */
interface Wanted {
  kind: PiiKind;
  token: string;
  rows: number;
}

/** What the database says about the subject, before anything is decrypted. */
interface Gathered {
  verdict: 'values' | 'erased' | 'not_found';
  wanted: Wanted[];
  /** Live rows whose sealed originals hold the wanted values. */
  sealed: SealedLoginRow[];
  erasedAt: Date | null;
  erasedRows: number;
}

const SEALED_COLUMNS = `l.message_id, ${TOKEN_COLUMNS('l')}, l.key_version, l.pii_dek_id, l.pii_sealed`;

/** Live rows with their sealed originals, one per distinct set of tokens, newest first. */
async function sealedRows(client: ClientBase, where: string, parameter: string): Promise<SealedLoginRow[]> {
  const { rows } = await client.query<SealedLoginRow>(
    `SELECT DISTINCT ON (${TOKEN_COLUMNS('l')}) ${SEALED_COLUMNS} FROM user_logins l
     WHERE ${where} AND l.pii_sealed IS NOT NULL AND ${rowForgottenAt('l')} IS NULL
     ORDER BY ${TOKEN_COLUMNS('l')}, l.sent_at DESC NULLS LAST`,
    [parameter],
  );
  return rows;
}

/**
 * One token: shown while a live row carries it with its sealed originals.
 * A value shared with a user who was forgotten stays readable for the
 * others: each row holds its own.
 */
async function gatherToken(client: ClientBase, kind: PiiKind, token: string): Promise<Gathered> {
  const refs = await client.query<{ total: string; live: string; erased_at: Date | null }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE erased_at IS NULL) AS live, max(erased_at) AS erased_at
     FROM (SELECT ${rowForgottenAt('l')} AS erased_at FROM user_logins l WHERE l.${piiColumn(kind)} = $1) r`,
    [token],
  );
  const total = Number(refs.rows[0]?.total ?? 0);
  const live = Number(refs.rows[0]?.live ?? 0);
  const erasedRows = total - live;
  const nothing = { wanted: [], sealed: [], erasedRows };
  if (total > 0 && live === 0) return { verdict: 'erased', ...nothing, erasedAt: refs.rows[0]?.erased_at ?? null };
  const sealed = (await sealedRows(client, `l.${piiColumn(kind)} = $1`, token)).slice(0, 1);
  if (sealed.length > 0) return { verdict: 'values', wanted: [{ kind, token, rows: live }], sealed, erasedAt: null, erasedRows };
  const erasedAt = (await erasures(client, [token])).get(token) ?? null;
  return { verdict: erasedAt ? 'erased' : 'not_found', ...nothing, erasedAt };
}

async function erasures(client: ClientBase, tokens: readonly string[]): Promise<Map<string, Date>> {
  const erased = await client.query<{ token: string; erased_at: Date }>(
    'SELECT token, erased_at FROM pii_erasures WHERE token = ANY($1::varchar[])',
    [tokens],
  );
  return new Map(erased.rows.map((r) => [r.token, r.erased_at]));
}

/** Every distinct value of one user's live rows; rows covered by an erasure show nothing. */
async function gatherUser(client: ClientBase, userId: string): Promise<Gathered> {
  const { rows } = await client.query<{ kind: PiiKind; token: string; total: string; live: string; erased_at: Date | null }>(
    `SELECT t.kind, t.token, count(*) AS total,
            count(*) FILTER (WHERE r.erased_at IS NULL) AS live, max(r.erased_at) AS erased_at
     FROM (SELECT ${TOKEN_COLUMNS('l')}, ${rowForgottenAt('l')} AS erased_at
           FROM user_logins l WHERE l.user_id = $1) r
     CROSS JOIN LATERAL (VALUES ${TOKEN_VALUES('r')}) AS t(kind, token)
     WHERE t.token IS NOT NULL
     GROUP BY t.kind, t.token
     ORDER BY t.kind = 'ip' DESC, t.token`,
    [userId],
  );
  const none = { wanted: [], sealed: [] };
  if (rows.length === 0) return { verdict: 'not_found', ...none, erasedAt: null, erasedRows: 0 };
  const rowCount = await client.query<{ total: string; erased: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE ${rowForgottenAt('l')} IS NOT NULL) AS erased
     FROM user_logins l WHERE l.user_id = $1`,
    [userId],
  );
  const erasedRows = Number(rowCount.rows[0]?.erased ?? 0);
  const erasedAt = rows.reduce<Date | null>((at, r) => (r.erased_at && (!at || r.erased_at > at) ? r.erased_at : at), null);
  const wanted = rows.filter((r) => Number(r.live) > 0).map((r) => ({ kind: r.kind, token: r.token, rows: Number(r.live) }));
  if (wanted.length === 0) return { verdict: 'erased', ...none, erasedAt, erasedRows };
  const sealed = await sealedRows(client, 'l.user_id = $1', userId);
  return { verdict: sealed.length > 0 ? 'values' : 'not_found', wanted, sealed, erasedAt, erasedRows };
}

/** The data keys the rows' originals are under, with the rows that wrap them. */
async function dataKeyRefs(client: ClientBase, rows: readonly OriginalsRow[]): Promise<StoredDataKeyRef[]> {
  const ids = [...new Set(rows.flatMap(originalsKeyIds))];
  const { rows: keys } = await client.query<{ id: string; kek_id: string; wrapped_key: Buffer }>(
    'SELECT id, kek_id, wrapped_key FROM vault_data_keys WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return keys.map((k) => ({ dekId: k.id, kekId: k.kek_id, wrappedKey: k.wrapped_key }));
}

/**
 * Opens every row's originals, or none: the first failure ends the
 * attempt, so a wrong key never yields a partial answer. When the keyring
 * still holds the row's version, each value must also re-tokenize to its
 * token: a check that the pipeline sealed the values it masked.
 */
async function openAll(client: ClientBase, gathered: Gathered, reader: VaultReader, keyring?: Keyring) {
  const rows: (OriginalsRow & { keyVersion: string })[] = gathered.sealed.map((r) => ({
    messageId: r.message_id,
    dekId: r.pii_dek_id,
    keyVersion: r.key_version,
    tokens: new Map<PiiKind, string>(PII_FIELDS.map((f) => [f.kind, r[f.column]])),
    stored: parseOriginals(r.pii_sealed),
  }));
  const keys = new Map<string, Buffer>();
  for (const ref of await dataKeyRefs(client, rows)) keys.set(ref.dekId, await reader.dataKey(ref));
  const opened = new Map<string, { value: string; keyVersion: string }>();
  for (const row of rows) {
    const values = openOriginals(row, keys);
    for (const [kind, value] of values) {
      const token = row.tokens.get(kind) as string;
      const key = keyring?.keys.get(row.keyVersion);
      if (key && tokenize(key, kind, value) !== token) {
        throw new VaultIntegrityError(
          `sealed ${kind} of ${token.slice(0, 12)}…: the stored value does not match its token under ${row.keyVersion}`,
        );
      }
      opened.set(`${kind}:${token}`, { value, keyVersion: row.keyVersion });
    }
  }
  const values: UnmaskedValue[] = [];
  const absent: Wanted[] = [];
  for (const w of gathered.wanted) {
    const found = opened.get(`${w.kind}:${w.token}`);
    if (found) values.push({ kind: w.kind, token: w.token, keyVersion: found.keyVersion, value: found.value, rows: w.rows });
    else absent.push(w);
  }
  const erasedAt = await erasures(client, absent.map((a) => a.token));
  return { values, missing: absent.map((a) => ({ kind: a.kind, token: a.token, erasedAt: erasedAt.get(a.token) ?? null })) };
}

function failureOutcome(error: unknown): AuditOutcome {
  const authentication =
    error instanceof VaultAuthenticationError || error instanceof KekError || error instanceof VaultIntegrityError;
  return authentication ? 'authentication_failed' : 'failed';
}

/**
 * Reads, decrypts and audits in one transaction (REPEATABLE READ: one
 * consistent view even while forget or the pipeline commit). The audit row
 * commits whatever the outcome, including a failed decryption; if it cannot
 * be written, nothing is returned, so no value is ever shown unaudited.
 * Callers print only after this resolves.
 */
export async function unmask(
  client: ClientBase,
  request: { subject: UnmaskSubject; context: OperatorContext },
  vault: { reader: VaultReader; keyring?: Keyring },
): Promise<UnmaskResult> {
  const { subject, context } = request;
  const audited = (outcome: AuditOutcome, valuesReturned: number) =>
    writeAudit(client, { context, ...auditSubject(subject), outcome, valuesReturned });
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  let settled = false;
  try {
    const gathered =
      subject.kind === 'user' ? await gatherUser(client, subject.userId) : await gatherToken(client, subject.kind, subject.token);
    let opened: Awaited<ReturnType<typeof openAll>>;
    try {
      opened = await openAll(client, gathered, vault.reader, vault.keyring);
    } catch (error) {
      await audited(failureOutcome(error), 0);
      await client.query('COMMIT');
      settled = true;
      throw error;
    }
    const { values, missing } = opened;
    const outcome: UnmaskResult['outcome'] =
      gathered.verdict !== 'values' ? gathered.verdict : missing.length > 0 ? 'partial' : 'ok';
    const { id } = await audited(outcome, values.length);
    await client.query('COMMIT');
    settled = true;
    return {
      outcome,
      subject,
      values,
      missing,
      erasedAt: gathered.erasedAt,
      erasedRows: gathered.erasedRows,
      auditId: id,
    };
  } finally {
    if (!settled) await client.query('ROLLBACK').catch(() => undefined);
  }
}
