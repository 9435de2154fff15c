import { SecretsManagerReader } from '../lambda/aws/secrets.js';
import { loadKeyring } from '../lambda/resources.js';
import { parseCliArgs, runCli, UsageError } from './lib/cli.js';
import { keyringSource, maskingConfig } from './lib/pii/keyring-source.js';
import { formatLookup, lookupTokens } from './lib/pii/lookup.js';

/**
 * npm run lookup -- --ip <address> | --device-id <id>
 * The tokens to search user_logins for, under every key version held, so a
 * user's rows can be found without decrypting anything. Needs the masking
 * keyring only: no database, no vault key. Never prints the value it was given.
 */
runCli('lookup', async () => {
  const { values } = parseCliArgs({ ip: { type: 'string' }, 'device-id': { type: 'string' } }, process.argv.slice(2), false);
  if (values.ip === undefined && values['device-id'] === undefined) {
    throw new UsageError('usage: npm run lookup -- --ip <address> | --device-id <id> (one or both)');
  }
  const source = keyringSource();
  const keyring = await loadKeyring(maskingConfig(source), () => new SecretsManagerReader());
  if (values.ip !== undefined) process.stdout.write(formatLookup(lookupTokens(keyring, 'ip', values.ip)));
  if (values['device-id'] !== undefined) {
    process.stdout.write(formatLookup(lookupTokens(keyring, 'device_id', values['device-id'])));
  }
});
