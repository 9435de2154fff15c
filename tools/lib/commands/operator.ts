/** The operator tools (docs/pii.md): lookup, unmask, forget, replay, rotate-key, operator-login. */
import { z } from 'zod';
import { QuarantineReason } from '../../../lambda/errors.js';
import { defineCommand } from '../command-line.js';
import { operatorContext } from './options.js';

const CONNECTS =
  'Connects as docs/pii.md says: DATABASE_URL as given (an operator login), else the DB_* settings as the function does, ' +
  "else the embedded database as the OS user's own operator login.";

// Longer than a login's 128: a quarantined message's user_id may be anything, and forget must reach it too.
const MAX_FORGET_USER_ID = 1_024;
const USER_ID_LENGTH = `expected 1 to ${MAX_FORGET_USER_ID} characters`;

export const lookup = defineCommand({
  name: 'lookup',
  description:
    'Prints the tokens an ip or a device id has in user_logins under every masking key version held, current first, and a ready SELECT, ' +
    'so rows can be found without decrypting anything. Needs only the masking keyring (MASKING_KEYS_FILE, MASKING_KEYS or MASKING_SECRET_ARN, ' +
    'else the demo keyring under .data/keys): no database, no vault key. Never prints the value it was given.',
  options: {
    ip: { type: 'text', value: '<address>', description: 'an IPv4 or IPv6 address, canonicalised as the pipeline does' },
    'device-id': { type: 'text', value: '<id>', description: 'a device id, exactly as sent' },
  },
  groups: [{ options: ['ip', 'device-id'], rule: 'at least one' }],
  examples: ['npm run lookup -- --ip 1.2.3.4', 'npm run lookup -- --device-id 593-47-5928'],
});

export const unmask = defineCommand({
  name: 'unmask',
  description:
    "Decrypts the originals behind a token, or all of one user's, for an authorized operator: a database login granted login_etl_operator, " +
    'holding the vault key (VAULT_KEK_FILE or VAULT_KMS_KEY_ID). Every request is audited; values are printed on stdout only after the audit row ' +
    'committed, and only if every one of them opened. The only tool that prints plain personal data. ' +
    `Exit codes: 0 values shown, 1 error, 2 usage, 3 erased, 4 not found. ${CONNECTS}`,
  options: {
    'masked-ip': { type: 'text', value: '<token>', description: 'a masked_ip token, 64 hex characters as stored in user_logins' },
    'masked-device-id': { type: 'text', value: '<token>', description: 'a masked_device_id token, 64 hex characters' },
    'user-id': { type: 'text', value: '<id>', description: 'every value of this user (1 to 128 characters, exactly as sent)' },
    ...operatorContext,
  },
  groups: [{ options: ['masked-ip', 'masked-device-id', 'user-id'], rule: 'exactly one' }],
  examples: ['npm run unmask -- --masked-ip <token> --reason "SUP-1234"', 'npm run unmask -- --user-id <id> --reason "SUP-1234" --operator alice'],
});

export const forget = defineCommand({
  name: 'forget',
  description:
    "Erasure by crypto-shredding: deletes the user's originals from the vault (except values other users share) and shreds the sealed bodies " +
    'of their quarantined messages; their masked rows stay for analytics, and unmask answers "erased" from then on. Audited; prints counts only. ' +
    `Run it again once the queue and DLQ retention has passed. ${CONNECTS}`,
  options: {
    'user-id': {
      type: 'text',
      value: '<id>',
      description: `the user to erase, exactly as sent (1 to ${MAX_FORGET_USER_ID} characters)`,
      required: true,
      schema: z.string({ error: USER_ID_LENGTH }).min(1, { error: USER_ID_LENGTH }).max(MAX_FORGET_USER_ID, { error: USER_ID_LENGTH }),
    },
    ...operatorContext,
  },
  examples: ['npm run forget -- --user-id <id> --reason "DSR-77"'],
});

export const replay = defineCommand({
  name: 'replay',
  description:
    'Runs quarantined messages through the pipeline again once the cause is fixed. Without --apply it lists them (message id, reason, dates; ' +
    'nothing of a body) and writes nothing. With --apply each body is unsealed (the vault key) and goes through the pipeline\'s own code, one ' +
    'transaction per message: one that now passes lands in user_logins under its original message id and leaves the quarantine; one that fails ' +
    `again stays quarantined with its new reason. Each is audited like unmask. ${CONNECTS}`,
  options: {
    'quarantine-reason': {
      type: 'choice',
      value: '<reason>',
      choices: Object.values(QuarantineReason),
      required: true,
      description: 'the quarantine reason of the messages to replay',
    },
    'message-id': { type: 'text', value: '<id>', description: 'only this message', defaultText: 'every message with that reason' },
    since: {
      type: 'text',
      value: '<date>',
      description: 'only messages quarantined at or after a date (2026-11-30, UTC) or a date and time with its zone (2026-11-30T14:00Z)',
      defaultText: 'any time',
    },
    ...operatorContext,
    apply: { type: 'flag', description: 'replay them; without it, only list them' },
  },
  examples: [
    'npm run replay -- --quarantine-reason rejected_by_database --reason "INC-7"',
    'npm run replay -- --quarantine-reason schema_violation --since 2026-11-01 --reason "INC-7" --apply',
  ],
});

export const rotateKey = defineCommand({
  name: 'rotate-key',
  description:
    'Adds a masking key version and makes it current: in MASKING_KEYS_FILE (else the demo keyring under .data/keys), or, with ' +
    'MASKING_SECRET_ARN, in Secrets Manager. Rows masked under older versions stay readable and matchable (lookup prints every version). ' +
    'Prints version names only, never a key.',
  options: {
    apply: { type: 'flag', description: 'with MASKING_SECRET_ARN, write the new version; without it, a dry run (a keyring file is always rotated)' },
  },
  examples: ['npm run rotate-key', 'MASKING_SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:masking npm run rotate-key -- --apply'],
});

export const operatorLogin = defineCommand({
  name: 'operator-login',
  description:
    "Creates a named person's operator login on a password-authenticated server (the embedded one, or DATABASE_URL as its owner): " +
    'login_etl_op_<name>, a member of login_etl_operator only. The password never goes on the command line: it is read from stdin, or ' +
    'generated and shown once; the server gets a SCRAM verifier only. In AWS, the OPERATOR_LOGINS setting does this instead (IAM, no password).',
  options: {
    name: {
      type: 'text',
      value: '<name>',
      description: "the person's short name: the login is login_etl_op_<name>",
      required: true,
    },
    'password-stdin': { type: 'flag', description: 'read the password from stdin (one line) instead of generating one' },
    retire: { type: 'flag', description: 'withdraw the login instead (NOLOGIN, out of login_etl_operator)' },
  },
  groups: [{ options: ['password-stdin', 'retire'], rule: 'at most one' }],
  examples: ['npm run operator-login -- --name alice', 'pass show db/alice | npm run operator-login -- --name alice --password-stdin'],
});
