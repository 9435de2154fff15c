import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalKek } from '../../lambda/vault/key-encryption-key.js';
import { dataDir } from './paths.js';

export const localKeyringPath = path.join(dataDir, 'keys', 'masking-keyring.json');
const localKekPath = path.join(dataDir, 'keys', 'vault-kek.json');

/**
 * Demo keys, generated once into the git-ignored .data/keys (mode 0600) and
 * reused, so tokens stay stable across runs. Production keys come from
 * Secrets Manager and KMS instead.
 */
export async function ensureLocalKeys(): Promise<{ keyringFile: string; kekFile: string }> {
  await mkdir(path.dirname(localKeyringPath), { recursive: true, mode: 0o700 });
  if (!existsSync(localKeyringPath)) {
    const keyring = { current: 'v1', v1: `base64:${randomBytes(32).toString('base64')}` };
    await writeFile(localKeyringPath, JSON.stringify(keyring, null, 2), { mode: 0o600, flag: 'wx' }).catch(ignoreExists);
  }
  if (!existsSync(localKekPath)) {
    await writeFile(localKekPath, LocalKek.generateFileContent(), { mode: 0o600, flag: 'wx' }).catch(ignoreExists);
  }
  return { keyringFile: localKeyringPath, kekFile: localKekPath };
}

function ignoreExists(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EEXIST') throw error;
}
