import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export const sampleBodies: string[] = readFileSync(path.join(fixtures, 'login-messages.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim().length > 0);

interface SampleLogin {
  ip?: string;
  device_id?: string;
}

/** Every plain ip and device id of the samples: none may ever appear in output or tables. */
export const samplePii: string[] = sampleBodies.flatMap((b) => {
  const m = JSON.parse(b) as SampleLogin;
  return [m.ip, m.device_id].filter((v): v is string => typeof v === 'string');
});

export function findPii(text: string, needles: readonly string[] = samplePii): string[] {
  return needles.filter((n) => text.includes(n));
}
