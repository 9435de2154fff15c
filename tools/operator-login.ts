import { createInterface } from 'node:readline';
import pg from 'pg';
import { operatorLogin } from '../lambda/db/login-names.js';
import { ensureOperatorLogin, retireOperatorLogin } from '../lambda/db/logins.js';
import { UsageError } from './lib/cli.js';
import { runCommand } from './lib/command-line.js';
import { operatorLogin as definition } from './lib/commands/operator.js';
import { migrateDatabase, prepareLocalEnvironment } from './lib/local-environment.js';
import { generatedPassword } from './lib/local-logins.js';
import { scramSha256Verifier } from './lib/scram-verifier.js';

const MIN_PASSWORD = 16;

/** npm run operator-login: what it does and takes is its definition's (tools/lib/commands/operator.ts), shown by --help. */
runCommand(definition, async ({ options: values }) => {
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
