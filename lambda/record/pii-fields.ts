/**
 * The personal fields of a login, the one list of them: preparation masks
 * and seals each, the quarantine preview shows each as a token, log
 * redaction drops each by name, and the operator tools (unmask, lookup,
 * forget) read each from its column. A new personal field also needs its
 * token column: a migration, the write's specification and LoginRow.
 */
export const PII_FIELDS = [
  /** The message's field, its token kind, and the user_logins column of its token. */
  { field: 'ip', kind: 'ip', column: 'masked_ip' },
  { field: 'device_id', kind: 'device_id', column: 'masked_device_id' },
] as const;

type PiiField = (typeof PII_FIELDS)[number];
export type PiiKind = PiiField['kind'];
export type PiiColumn = PiiField['column'];

/** The user_logins column that holds tokens of a kind. Fixed names, never input. */
export function piiColumn(kind: PiiKind): PiiColumn {
  const field = PII_FIELDS.find((f) => f.kind === kind);
  if (!field) throw new Error(`no personal field of kind ${String(kind)}`);
  return field.column;
}

/**
 * A login's originals, sealed together (one seal per row): the fields'
 * values in the list's order, joined by NUL, which no stored value may hold
 * (login-schema.ts refuses it in every text field).
 */
export function joinOriginals(values: readonly string[]): string {
  return values.join('\u0000');
}

/** The originals joined by {@link joinOriginals}, by kind. */
export function splitOriginals(joined: string): Map<PiiKind, string> {
  const parts = joined.split('\u0000');
  if (parts.length !== PII_FIELDS.length) throw new Error('sealed originals do not hold one value per personal field');
  return new Map(PII_FIELDS.map((f, i) => [f.kind, parts[i] as string]));
}
