/**
 * Versioned HMAC keys. The serialized form is a flat JSON object so that
 * Secrets Manager can generate it (`secretStringTemplate` + `generateStringKey`):
 *   {"current":"v1","v1":"<at least 32 characters of secret>"}
 * A value prefixed with "base64:" is decoded; any other value is used as UTF-8.
 */
export interface Keyring {
  readonly current: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

const VERSION = /^v[0-9]{1,6}$/;
const MIN_KEY_BYTES = 32;

export function parseKeyring(serialized: string, source: string): Keyring {
  let raw: unknown;
  try {
    raw = JSON.parse(serialized);
  } catch {
    // Never echo the text: it is key material.
    throw new KeyringError(`${source}: the masking keyring is not valid JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new KeyringError(`${source}: the masking keyring must be a JSON object`);
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  const current = (raw as Record<string, unknown>).current;
  if (typeof current !== 'string' || !VERSION.test(current)) {
    throw new KeyringError(`${source}: "current" must name a key version like "v1"`);
  }
  const keys = new Map<string, Buffer>();
  for (const [version, value] of entries) {
    if (version === 'current') continue;
    if (!VERSION.test(version)) {
      throw new KeyringError(`${source}: key names must look like "v1", "v2"…`);
    }
    if (typeof value !== 'string') {
      throw new KeyringError(`${source}: key ${version} must be a string`);
    }
    const material = value.startsWith('base64:')
      ? Buffer.from(value.slice('base64:'.length), 'base64')
      : Buffer.from(value, 'utf8');
    if (material.length < MIN_KEY_BYTES) {
      throw new KeyringError(`${source}: key ${version} is shorter than ${MIN_KEY_BYTES} bytes`);
    }
    keys.set(version, material);
  }
  if (!keys.has(current)) {
    throw new KeyringError(`${source}: "current" names ${current}, which the keyring does not hold`);
  }
  return { current, keys };
}

export function serializeKeyring(keyring: Keyring): string {
  const out: Record<string, string> = { current: keyring.current };
  for (const [version, material] of keyring.keys) out[version] = `base64:${material.toString('base64')}`;
  return JSON.stringify(out, null, 2);
}

/** Next version name after the highest one held: v1 → v2. */
export function nextVersion(keyring: Keyring): string {
  const highest = Math.max(...[...keyring.keys.keys()].map((v) => Number(v.slice(1))));
  return `v${highest + 1}`;
}
