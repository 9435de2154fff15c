import { createInterface } from 'node:readline';
import pg from 'pg';
import { operatorLogin } from '../lambda/db/login-names.js';
import { ensureOperatorLogin, retireOperatorLogin } from '../lambda/db/logins.js';
import { parseCliArgs, runCli, UsageError } from './lib/cli.js';
import { migrateDatabase, prepareLocalEnvironment } from './lib/local-environment.js';
import { generatedPassword } from './lib/local-logins.js';
import { scramSha256Verifier } from './lib/scram-verifier.js';

const USAGE = 'usage: npm run operator-login -- --name <short name> [--password-stdin | --retire]';
const MIN_PASSWORD = 16;

/**
 * npm run operator-login -- --name alice [--password-stdin | --retire]
 * A named person's operator login on a password-authenticated server (local,
 * or DATABASE_URL as its owner): login_etl_op_alice, a member of
 * login_etl_operator only. The password never goes on the command line: it is
 * read from stdin, or generated and shown once. --retire withdraws the login
 * (NOLOGIN, out of the group). In AWS, OPERATOR_LOGINS does this (IAM, no
 * password): see docs/deploy.md.
 */
runCli('operator-login', async () => {
  const { values } = parseCliArgs(
    { name: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false }, retire: { type: 'boolean', default: false } },
    process.argv.slice(2),
    false,
  );
  if (!values.name) throw new UsageError(USAGE);
  if (values.retire && values['password-stdin']) throw new UsageError(USAGE);
  try {
    operatorLogin(values.name);
  } catch (error) {
    throw new UsageError(`--name: ${(error as Error).message}`);
  }
  const password = values.retire ? undefined : values['password-stdin'] ? await readPassword() : generatedPassword();
  const { database } = await prepareLocalEnvironment();
  try {
    await migrateDatabase(database.url);
    const admin = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: 10_000 });
    await admin.connect();
    try {
      if (password === undefined) {
        console.log(`${await retireOperatorLogin(admin, values.name)}: retired (NOLOGIN, no longer in login_etl_operator)`);
        return;
      }
      const login = await ensureOperatorLogin(admin, values.name, { passwordVerifier: scramSha256Verifier(password) });
      console.log(`${login}: ready, a member of login_etl_operator only; the operator tools take DATABASE_URL=postgres://${login}:<password>@<host>:<port>/<database>`);
      if (!values['password-stdin']) console.log(`password (shown once, not stored): ${password}`);
    } finally {
      await admin.end();
    }
  } finally {
    await database.stop();
  }
});

/** The password from stdin (one line), without echo to any log. */
async function readPassword(): Promise<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let first: string | undefined;
  for await (const line of lines) {
    first = line;
    break;
  }
  lines.close();
  const password = (first ?? '').trim();
  if (password.length < MIN_PASSWORD || !/^[\x21-\x7e]+$/.test(password)) {
    throw new UsageError(`the password on stdin must be at least ${MIN_PASSWORD} printable ASCII characters without spaces`);
  }
  return password;
}
