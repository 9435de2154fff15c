import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { parseKeyring, serializeKeyring } from '../../../lambda/masking/keyring.js';
import { UsageError } from '../cli.js';
import { withNewVersion, type RotationSummary } from './key-rotation.js';

/**
 * Rotates a local keyring file in place. The new file is written beside the
 * old one (mode 0600, synced) and renamed over it, so a reader (the pipeline
 * starting up) sees the old keyring or the new one, never half of either. If
 * the file changed since it was read (another rotation), nothing is written:
 * overwriting would silently drop a version whose tokens are already stored.
 */
export async function rotateKeyringFile(file: string): Promise<RotationSummary> {
  const source = `MASKING_KEYS_FILE ${file}`;
  const before = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`${source} cannot be read`);
  });
  const { keyring, summary } = withNewVersion(parseKeyring(before, source));
  const text = `${serializeKeyring(keyring)}\n`;
  parseKeyring(text, 'the rotated keyring'); // what we write must load

  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if ((await readFile(file, 'utf8')) !== before) {
      throw new Error(`${source} changed while rotating; nothing was written, run rotate-key again`);
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return summary;
}
