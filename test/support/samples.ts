import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export const sampleBodies: string[] = readFileSync(path.join(fixtures, 'login-messages.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim().length > 0);

/** A sample message's fields, as the fixture spells them. */
export interface SampleLogin {
  user_id: string;
  app_version: string;
  device_type: string;
  ip: string;
  locale: string | null;
  device_id: string;
}

/** The parsed samples that are logins (the fixture also holds one malformed message). */
export const sampleLogins: SampleLogin[] = sampleBodies
  .map((b) => JSON.parse(b) as Partial<SampleLogin>)
  .filter((m): m is SampleLogin => typeof m.user_id === 'string');

/** One valid login (the fixture's first), for tests that patch a field at a time. */
export const exampleLogin: Readonly<SampleLogin> = {
  user_id: '424cdd21-063a-43a7-b91b-7ca1a833afae',
  app_version: '2.3.0',
  device_type: 'android',
  ip: '199.172.111.135',
  locale: 'RU',
  device_id: '593-47-5928',
};

/** Every plain ip and device id of the samples: none may ever appear in output or tables. */
export const samplePii: string[] = sampleBodies.flatMap((b) => {
  const m = JSON.parse(b) as Partial<SampleLogin>;
  return [m.ip, m.device_id].filter((v): v is string => typeof v === 'string');
});

export function findPii(text: string, needles: readonly string[] = samplePii): string[] {
  return needles.filter((n) => text.includes(n));
}
