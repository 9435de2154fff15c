import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalKek } from '../../lambda/vault/key-encryption-key.js';

export function keyringJson(versions: Record<string, Buffer> = { v1: randomBytes(32) }, current = 'v1'): string {
  const out: Record<string, string> = { current };
  for (const [v, key] of Object.entries(versions)) out[v] = `base64:${key.toString('base64')}`;
  return JSON.stringify(out);
}

/** A throwaway KEK file in a temp directory. */
export function kekFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'login-etl-kek-'));
  const file = path.join(dir, 'vault-kek.json');
  writeFileSync(file, LocalKek.generateFileContent(), { mode: 0o600 });
  return file;
}

/** Environment for loadConfig() pointing at a test database with fresh keys. */
export function testEnv(databaseUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    MASKING_KEYS: keyringJson(),
    VAULT_KEK_FILE: kekFile(),
    DB_CONNECT_TIMEOUT_MS: '2000',
    DB_STATEMENT_TIMEOUT_MS: '5000',
    ...extra,
  };
}
