import { VaultReader } from '../lambda/vault/vault-reader.js';
import { parseCliArgs, runCli } from './lib/cli.js';
import { operatorContext } from './lib/pii/operator-context.js';
import { openOperatorSession } from './lib/pii/operator-session.js';
import { parseReplayFilter } from './lib/pii/replay-filter.js';
import { formatReplayList, formatReplayResults } from './lib/pii/replay-output.js';
import { listQuarantined, replayAll, ReplayStoppedError } from './lib/pii/replay.js';

const USAGE =
  'usage: npm run replay -- --quarantine-reason <reason> [--message-id <id>] [--since <date>] --reason <why> [--operator <name>] [--apply]';

/**
 * npm run replay -- --quarantine-reason <reason> [--message-id <id>] [--since <date>]
 *                   --reason <why> [--operator <name>] [--apply]
 * Runs quarantined messages through the pipeline again, once the cause is
 * fixed. Without --apply it lists them (message id, reason, dates; nothing of
 * a body). With --apply each body is unsealed (the vault KEK: an operator's
 * kms:Decrypt) and parsed, validated, masked, sealed and written by the
 * pipeline's own code: a message that now passes lands in user_logins under
 * its original message id and leaves the quarantine in the same transaction;
 * one that fails again stays quarantined with its new reason. Each is
 * audited like unmask.
 */
runCli('replay', async () => {
  const { values } = parseCliArgs(
    {
      'quarantine-reason': { type: 'string' },
      'message-id': { type: 'string' },
      since: { type: 'string' },
      reason: { type: 'string' },
      operator: { type: 'string' },
      apply: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    process.argv.slice(2),
    false,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const filter = parseReplayFilter(values);
  const context = operatorContext(values);
  const session = await openOperatorSession();
  const reader = new VaultReader(session.resources.kek);
  try {
    const messages = await session.run((client) => listQuarantined(client, filter));
    if (!values.apply || messages.length === 0) return print(formatReplayList(messages, filter));
    const deps = { tokenizer: session.resources.tokenizer, reader, unwrapEnvelopes: session.config.unwrapEnvelopes };
    try {
      return print(formatReplayResults(await replayAll((work) => session.run(work), { messages, context }, deps)));
    } catch (error) {
      if (!(error instanceof ReplayStoppedError)) throw error;
      print(formatReplayResults(error.results));
      throw error.reason;
    }
  } finally {
    reader.close();
    await session.close();
  }
});

function print(out: { stdout: string; stderr: string }): number {
  process.stdout.write(out.stdout);
  process.stderr.write(out.stderr);
  return 0;
}
