import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UsageError } from './lib/cli.js';
import { runCommand } from './lib/command-line.js';
import { rotateKey as definition } from './lib/commands/operator.js';
import { rotateKeyringFile } from './lib/pii/keyring-file.js';
import { keyringSource } from './lib/pii/keyring-source.js';
import { rotateMaskingSecret, SecretsManagerMaskingStore } from './lib/pii/masking-secret.js';

/** npm run rotate-key: what it does and takes is its definition's (tools/lib/commands/operator.ts), shown by --help. */
runCommand(definition, async ({ options: values }) => {
  const source = keyringSource();
  if (source.kind === 'inline') {
    throw new UsageError('MASKING_KEYS holds the keyring inline: rotate it where that value is defined, or use MASKING_KEYS_FILE');
  }
  if (source.kind === 'file') {
    const r = await rotateKeyringFile(source.path);
    console.log(`${source.demo ? 'demo keyring' : 'MASKING_KEYS_FILE'} ${source.path}: added ${r.current}, now current (was ${r.previous}); versions held: ${r.versions.join(', ')}`);
    console.log(`new rows are masked under ${r.current} from the next start of the pipeline; rows under ${r.previous} stay readable and matchable (lookup prints every version).`);
    return;
  }
  const region = process.env.AWS_REGION;
  const store = new SecretsManagerMaskingStore(new SecretsManagerClient(region ? { region } : {}));
  const r = await rotateMaskingSecret(store, source.arn, { apply: values.apply });
  if (!r.applied) {
    console.log(`dry run: would add ${r.current} to ${source.arn} and make it current (now ${r.previous}; versions held: ${r.versions.slice(0, -1).join(', ')}).`);
    console.log('run again with --apply to write it (needs secretsmanager:GetSecretValue, PutSecretValue, UpdateSecretVersionStage and DescribeSecret on the secret).');
    return;
  }
  console.log(`${source.arn}: added ${r.current}, now current (was ${r.previous}); secret version ${r.versionId ?? '(unknown)'}; versions held: ${r.versions.join(', ')}`);
  console.log('running Lambda sandboxes keep the keyring they loaded; new sandboxes use the new version. See docs/pii.md to switch all at once.');
});
