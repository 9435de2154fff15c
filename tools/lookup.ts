import { SecretsManagerReader } from '../lambda/aws/secrets.js';
import { loadKeyring } from '../lambda/resources.js';
import { runCommand } from './lib/command-line.js';
import { lookup as definition } from './lib/commands/operator.js';
import { keyringSource, maskingConfig } from './lib/pii/keyring-source.js';
import { formatLookup, lookupTokens } from './lib/pii/lookup.js';

/** npm run lookup: what it does and takes is its definition's (tools/lib/commands/operator.ts), shown by --help. */
runCommand(definition, async ({ options: values }) => {
  const source = keyringSource();
  const keyring = await loadKeyring(maskingConfig(source), () => new SecretsManagerReader());
  if (values.ip !== undefined) process.stdout.write(formatLookup(lookupTokens(keyring, 'ip', values.ip)));
  if (values['device-id'] !== undefined) {
    process.stdout.write(formatLookup(lookupTokens(keyring, 'device_id', values['device-id'])));
  }
});
