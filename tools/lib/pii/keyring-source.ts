import { existsSync } from 'node:fs';
import type { Config } from '../../../lambda/config.js';
import { UsageError } from '../cli.js';
import { localKeyringPath } from '../local-keys.js';

/** Where the masking keyring lives, as the MASKING_* variables say (README configuration table). */
export type KeyringSource =
  | { kind: 'inline' }
  | { kind: 'file'; path: string; demo: boolean }
  | { kind: 'secret'; arn: string };

const NAMES = ['MASKING_KEYS', 'MASKING_KEYS_FILE', 'MASKING_SECRET_ARN'] as const;

/**
 * The same precedence as the function's config (exactly one of the three),
 * except that with none set the tools fall back to the demo keyring under
 * .data/keys; they never create one, since a fresh key matches no stored
 * token.
 */
export function keyringSource(env: NodeJS.ProcessEnv = process.env): KeyringSource {
  const given = NAMES.filter((name) => (env[name] ?? '') !== '');
  if (given.length > 1) throw new UsageError(`${given.join(' + ')} are both set: give the masking keyring one way only`);
  if (env.MASKING_KEYS) return { kind: 'inline' };
  if (env.MASKING_KEYS_FILE) return { kind: 'file', path: env.MASKING_KEYS_FILE, demo: false };
  if (env.MASKING_SECRET_ARN) return { kind: 'secret', arn: env.MASKING_SECRET_ARN };
  if (!existsSync(localKeyringPath)) {
    throw new UsageError(
      'no masking keyring: set MASKING_KEYS_FILE or MASKING_SECRET_ARN, or run `npm run demo` to create the demo keyring',
    );
  }
  return { kind: 'file', path: localKeyringPath, demo: true };
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
