import type { ClientBase } from 'pg';
import type { Keyring } from '../../../lambda/masking/keyring.js';
import { tokenize } from '../../../lambda/masking/tokenize.js';
import { piiColumn, type PiiKind } from '../../../lambda/record/pii-fields.js';
import { KekError } from '../../../lambda/vault/key-encryption-key.js';
import { VaultAuthenticationError } from '../../../lambda/vault/seal.js';
import type { StoredVaultEntry, VaultReader } from '../../../lambda/vault/vault-reader.js';
import { writeAudit, type AuditOutcome } from './audit.js';
import { rowForgottenAt } from './forgotten-users.js';
import type { OperatorContext } from './operator-context.js';
import { auditSubject, type UnmaskSubject } from './subject.js';

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

interface VaultRow {
  token: string;
  kind: PiiKind;
  key_version: string;
  dek_id: string;
  kek_id: string;
  wrapped_key: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

type Entry = StoredVaultEntry & { keyVersion: string; rows: number };

/** What the database says about the subject, before anything is decrypted. */
interface Gathered {
  verdict: 'values' | 'erased' | 'not_found';
  entries: Entry[];
  missing: UnmaskResult['missing'];
  erasedAt: Date | null;
  erasedRows: number;
}

const VAULT_SQL = `
SELECT v.token, v.kind, v.key_version, v.dek_id, k.kek_id, k.wrapped_key, v.nonce, v.ciphertext
FROM pii_vault v JOIN vault_data_keys k ON k.id = v.dek_id
WHERE v.token = ANY($1::varchar[])`;

async function readVault(client: ClientBase, wanted: { kind: PiiKind; token: string; rows: number }[]) {
  const { rows } = await client.query<VaultRow>(VAULT_SQL, [wanted.map((w) => w.token)]);
  const byToken = new Map(rows.map((r) => [`${r.kind}:${r.token}`, r]));
  const entries: Entry[] = [];
  const absent: { kind: PiiKind; token: string }[] = [];
  for (const w of wanted) {
    const r = byToken.get(`${w.kind}:${w.token}`);
    if (!r) {
      absent.push({ kind: w.kind, token: w.token });
      continue;
    }
    entries.push({
      token: r.token,
      kind: r.kind,
      keyVersion: r.key_version,
      dekId: r.dek_id,
      kekId: r.kek_id,
      wrappedKey: r.wrapped_key,
      nonce: r.nonce,
      ciphertext: r.ciphertext,
      rows: w.rows,
    });
  }
  const erased = await client.query<{ token: string; erased_at: Date }>(
    'SELECT token, erased_at FROM pii_erasures WHERE token = ANY($1::varchar[])',
    [absent.map((a) => a.token)],
  );
  const erasedAt = new Map(erased.rows.map((r) => [r.token, r.erased_at]));
  return { entries, missing: absent.map((a) => ({ ...a, erasedAt: erasedAt.get(a.token) ?? null })) };
}

/**
 * One token: shown while a live row carries it, or while no row does (the
 * vault is keyed by token; a value nobody was forgotten for stays readable).
 * A value shared with a user who was forgotten stays readable for the others.
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
  if (total > 0 && live === 0) {
    return { verdict: 'erased', entries: [], missing: [], erasedAt: refs.rows[0]?.erased_at ?? null, erasedRows };
  }
  const { entries, missing } = await readVault(client, [{ kind, token, rows: live }]);
  if (entries.length > 0) return { verdict: 'values', entries, missing: [], erasedAt: null, erasedRows };
  const erasedAt = missing[0]?.erasedAt ?? null;
  return { verdict: erasedAt ? 'erased' : 'not_found', entries: [], missing: [], erasedAt, erasedRows };
}

/** Every distinct value of one user's live rows; rows covered by an erasure show nothing. */
async function gatherUser(client: ClientBase, userId: string): Promise<Gathered> {
  const { rows } = await client.query<{ kind: PiiKind; token: string; total: string; live: string; erased_at: Date | null }>(
    `SELECT t.kind, t.token, count(*) AS total,
            count(*) FILTER (WHERE r.erased_at IS NULL) AS live, max(r.erased_at) AS erased_at
     FROM (SELECT l.masked_ip, l.masked_device_id, ${rowForgottenAt('l')} AS erased_at
           FROM user_logins l WHERE l.user_id = $1) r
     CROSS JOIN LATERAL (VALUES ('ip', r.masked_ip), ('device_id', r.masked_device_id)) AS t(kind, token)
     WHERE t.token IS NOT NULL
     GROUP BY t.kind, t.token
     ORDER BY t.kind = 'ip' DESC, t.token`,
    [userId],
  );
  if (rows.length === 0) return { verdict: 'not_found', entries: [], missing: [], erasedAt: null, erasedRows: 0 };
  const rowCount = await client.query<{ total: string; erased: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE ${rowForgottenAt('l')} IS NOT NULL) AS erased
     FROM user_logins l WHERE l.user_id = $1`,
    [userId],
  );
  const erasedRows = Number(rowCount.rows[0]?.erased ?? 0);
  const erasedAt = rows.reduce<Date | null>((at, r) => (r.erased_at && (!at || r.erased_at > at) ? r.erased_at : at), null);
  const live = rows.filter((r) => Number(r.live) > 0).map((r) => ({ kind: r.kind, token: r.token, rows: Number(r.live) }));
  if (live.length === 0) return { verdict: 'erased', entries: [], missing: [], erasedAt, erasedRows };
  const { entries, missing } = await readVault(client, live);
  return { verdict: entries.length > 0 ? 'values' : 'not_found', entries, missing, erasedAt, erasedRows };
}

/**
 * Opens every entry, or none: the first failure ends the attempt, so a wrong
 * key never yields a partial answer. When the keyring still holds the entry's
 * version, the value must also re-tokenize to its token: a check that the
 * pipeline sealed the value it masked.
 */
async function openAll(entries: readonly Entry[], reader: VaultReader, keyring?: Keyring): Promise<UnmaskedValue[]> {
  const values: UnmaskedValue[] = [];
  for (const entry of entries) {
    const value = await reader.open(entry);
    const key = keyring?.keys.get(entry.keyVersion);
    if (key && tokenize(key, entry.kind, value) !== entry.token) {
      throw new VaultIntegrityError(
        `vault entry ${entry.kind} ${entry.token.slice(0, 12)}…: the stored value does not match its token under ${entry.keyVersion}`,
      );
    }
    values.push({ kind: entry.kind, token: entry.token, keyVersion: entry.keyVersion, value, rows: entry.rows });
  }
  return values;
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
    let values: UnmaskedValue[];
    try {
      values = await openAll(gathered.entries, vault.reader, vault.keyring);
    } catch (error) {
      await audited(failureOutcome(error), 0);
      await client.query('COMMIT');
      settled = true;
      throw error;
    }
    const outcome: UnmaskResult['outcome'] =
      gathered.verdict !== 'values' ? gathered.verdict : gathered.missing.length > 0 ? 'partial' : 'ok';
    const { id } = await audited(outcome, values.length);
    await client.query('COMMIT');
    settled = true;
    return {
      outcome,
      subject,
      values,
      missing: gathered.missing,
      erasedAt: gathered.erasedAt,
      erasedRows: gathered.erasedRows,
      auditId: id,
    };
  } finally {
    if (!settled) await client.query('ROLLBACK').catch(() => undefined);
  }
}
