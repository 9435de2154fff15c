import { VaultReader } from '../lambda/vault/vault-reader.js';
import { parseCliArgs, runCli } from './lib/cli.js';
import { operatorContext } from './lib/pii/operator-context.js';
import { openOperatorSession } from './lib/pii/operator-session.js';
import { formatUnmask } from './lib/pii/output.js';
import { parseSubject } from './lib/pii/subject.js';
import { unmask } from './lib/pii/unmask.js';

/**
 * npm run unmask -- (--masked-ip <token> | --masked-device-id <token> | --user-id <id>)
 *                   --reason <why> [--operator <name>]
 * Decrypts originals for an authorized operator (a database user granted
 * login_etl_operator, holding the vault KEK) and audits the request. Values
 * are printed only after the audit row committed, and only if every one of
 * them opened: a wrong key prints one line on stderr and nothing on stdout.
 */
runCli('unmask', async () => {
  const { values } = parseCliArgs(
    {
      'masked-ip': { type: 'string' },
      'masked-device-id': { type: 'string' },
      'user-id': { type: 'string' },
      reason: { type: 'string' },
      operator: { type: 'string' },
    },
    process.argv.slice(2),
    false,
  );
  const subject = parseSubject(values);
  const context = operatorContext(values);
  const session = await openOperatorSession();
  const reader = new VaultReader(session.resources.kek);
  try {
    const result = await session.run((client) =>
      unmask(client, { subject, context }, { reader, keyring: session.resources.keyring }),
    );
    const out = formatUnmask(result);
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    return out.exitCode;
  } finally {
    reader.close();
    await session.close();
  }
});
