import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Git-ignored local state: the embedded Postgres cluster and the demo keys. */
export const dataDir = path.resolve(process.env.LOGIN_ETL_DATA_DIR ?? path.join(repoRoot, '.data'));

export const sampleMessagesPath = path.join(repoRoot, 'test', 'fixtures', 'login-messages.jsonl');
