import { VaultReader } from '../lambda/vault/vault-reader.js';
import { runCommand } from './lib/command-line.js';
import { unmask as definition } from './lib/commands/operator.js';
import { operatorContext } from './lib/pii/operator-context.js';
import { openOperatorSession } from './lib/pii/operator-session.js';
import { formatUnmask } from './lib/pii/output.js';
import { parseSubject } from './lib/pii/subject.js';
import { unmask } from './lib/pii/unmask.js';

/**
 * npm run unmask: what it does and takes is its definition's (tools/lib/commands/operator.ts), shown by --help.
 * A wrong key prints one line on stderr and nothing on stdout.
 */
runCommand(definition, async ({ options: values }) => {
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
