import { runCommand } from './lib/command-line.js';
import { forget as definition } from './lib/commands/operator.js';
import { forget, userTokens } from './lib/pii/forget.js';
import { operatorContext } from './lib/pii/operator-context.js';
import { openOperatorSession } from './lib/pii/operator-session.js';
import { formatForget } from './lib/pii/output.js';

/** npm run forget: what it does and takes is its definition's (tools/lib/commands/operator.ts), shown by --help. */
runCommand(definition, async ({ options: values }) => {
  const userId = values['user-id'];
  const context = operatorContext(values);
  const session = await openOperatorSession();
  try {
    const tokens = userTokens(session.resources.keyring, userId);
    const result = await session.run((client) => forget(client, { userId, context, userTokens: tokens }));
    const out = formatForget(result);
    process.stdout.write(out.stdout);
    process.stderr.write(out.stderr);
    return out.exitCode;
  } finally {
    await session.close();
  }
});
