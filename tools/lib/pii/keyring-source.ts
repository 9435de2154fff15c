import { existsSync } from 'node:fs';
import { chosenVariable, ConfigError, type Config } from '../../../lambda/config.js';
import { UsageError } from '../cli.js';
import { localKeyringPath } from '../local-keys.js';

/** Where the masking keyring lives, as the MASKING_* variables say (README configuration table). */
export type KeyringSource =
  | { kind: 'inline' }
  | { kind: 'file'; path: string; demo: boolean }
  | { kind: 'secret'; arn: string };

/**
 * The same rule as the function's config (one MASKING_* variable at most:
 * chosenVariable), except that with none set the tools fall back to the demo
 * keyring under .data/keys; they never create one, since a fresh key matches
 * no stored token.
 */
export function keyringSource(env: NodeJS.ProcessEnv = process.env): KeyringSource {
  switch (chosenMaskingVariable(env)) {
    case 'MASKING_KEYS':
      return { kind: 'inline' };
    case 'MASKING_KEYS_FILE':
      return { kind: 'file', path: env.MASKING_KEYS_FILE as string, demo: false };
    case 'MASKING_SECRET_ARN':
      return { kind: 'secret', arn: env.MASKING_SECRET_ARN as string };
    case undefined:
      if (!existsSync(localKeyringPath)) {
        throw new UsageError(
          'no masking keyring: set MASKING_KEYS_FILE or MASKING_SECRET_ARN, or run `npm run demo` to create the demo keyring',
        );
      }
      return { kind: 'file', path: localKeyringPath, demo: true };
  }
}

/** Two variables set is the user's to fix: a usage error (exit 2), worded as the function's. */
function chosenMaskingVariable(env: NodeJS.ProcessEnv) {
  try {
    return chosenVariable('masking', env);
  } catch (error) {
    throw error instanceof ConfigError ? new UsageError(`${error.variable} ${error.problem}`) : error;
  }
}

/** The source as the function's loadKeyring() takes it. */
export function maskingConfig(source: KeyringSource, env: NodeJS.ProcessEnv = process.env): Config['masking'] {
  switch (source.kind) {
    case 'inline':
      return { keysJson: env.MASKING_KEYS };
    case 'file':
      return { keysFile: source.path };
    case 'secret':
      return { secretArn: source.arn };
  }
}
