import { PII_FIELDS } from '../../../lambda/record/pii-fields.js';

/** SQL: a user_logins row's token columns under `alias`, one per personal field, in pii-fields.ts order. */
export const TOKEN_COLUMNS = (alias: string): string => PII_FIELDS.map((f) => `${alias}.${f.column}`).join(', ');

/** SQL: a row's tokens as (kind, token) pairs, one per personal field. */
export const TOKEN_VALUES = (alias: string): string => PII_FIELDS.map((f) => `('${f.kind}', ${alias}.${f.column})`).join(', ');
