import { parseCliArgs, runCli, UsageError } from './lib/cli.js';
import { forget, userTokens } from './lib/pii/forget.js';
import { operatorContext } from './lib/pii/operator-context.js';
import { openOperatorSession } from './lib/pii/operator-session.js';
import { formatForget } from './lib/pii/output.js';

/**
 * npm run forget -- --user-id <id> --reason <why> [--operator <name>]
 * Erasure by crypto-shredding: the user's originals are deleted from the
 * vault (except values other users share), their masked rows stay for
 * analytics, and unmask answers "erased" from then on. Prints counts only.
 */
const MAX_USER_ID = 1_024;

runCli('forget', async () => {
  const { values } = parseCliArgs(
    { 'user-id': { type: 'string' }, reason: { type: 'string' }, operator: { type: 'string' } },
    process.argv.slice(2),
    false,
  );
  const userId = values['user-id'] ?? '';
  // Longer than a login's 128: a quarantined message's user_id may be anything, and forget must reach it too.
  if (userId.length === 0 || userId.length > MAX_USER_ID) throw new UsageError(`--user-id <id> is required (1 to ${MAX_USER_ID} characters)`);
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
