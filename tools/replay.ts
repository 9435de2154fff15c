import { VaultReader } from '../lambda/vault/vault-reader.js';
import { runCommand } from './lib/command-line.js';
import { replay as definition } from './lib/commands/operator.js';
import { operatorContext } from './lib/pii/operator-context.js';
import { openOperatorSession } from './lib/pii/operator-session.js';
import { parseReplayFilter } from './lib/pii/replay-filter.js';
import { formatReplayList, formatReplayResults } from './lib/pii/replay-output.js';
import { listQuarantined, replayAll, ReplayStoppedError } from './lib/pii/replay.js';

/**
 * npm run replay: what it does and takes is its definition's (tools/lib/commands/operator.ts), shown by --help.
 * With --apply each body is parsed, validated, masked, sealed and written by the pipeline's own code.
 */
runCommand(definition, async ({ options: values }) => {
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
