import { canonicalIp } from '../../../lambda/record/ip-address.js';
import { seededRandom } from '../../../tools/lib/seeded-random.js';

/**
 * Synthetic login messages for the chaos and soak runs: shaped like
 * test/fixtures/login-messages.jsonl, generated from a seed (the same seed
 * gives the same messages), each with a user_id of its own so a row maps back
 * to the message that produced it.
 */

/**
 * What the pipeline must do with a message:
 * - good: a user_logins row;
 * - invalid_json, missing_field, bad_ip: a quarantine row (permanently bad);
 * - poison: valid, but the database refuses its row in user_logins AND in the
 *   quarantine (test/support/chaos/db-faults.ts), so every attempt fails and
 *   SQS moves it to the DLQ after maxReceiveCount receives.
 */
type MessageKind = 'good' | 'invalid_json' | 'missing_field' | 'bad_ip' | 'poison';

const BAD_KINDS: readonly MessageKind[] = ['invalid_json', 'missing_field', 'bad_ip'];

export interface SyntheticMessage {
  /** Position in the generated list. */
  index: number;
  kind: MessageKind;
  userId: string;
  body: string;
  /** Every plain ip / device id string in the body, and the canonical spelling of the ip. */
  pii: string[];
}

const DEVICE_TYPES = ['android', 'ios'] as const;
const LOCALES = ['RU', 'PH', 'ID', 'FR', 'US', 'BR', 'CN', 'DE', null] as const;

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function int(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function hex(random: () => number, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i += 1) out += Math.floor(random() * 16).toString(16);
  return out;
}

function uuid(random: () => number): string {
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${variant}${hex(random, 3)}-${hex(random, 12)}`;
}

function ipv4(random: () => number): string {
  return `${int(random, 1, 223)}.${int(random, 0, 255)}.${int(random, 0, 255)}.${int(random, 1, 254)}`;
}

/** Full, uncompressed IPv6 (the pipeline stores the canonical form, sealed). */
function ipv6(random: () => number): string {
  return ['2001', 'db8', ...Array.from({ length: 6 }, () => hex(random, 4))].join(':');
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The samples' device ids look like US SSNs: ddd-dd-dddd. */
function deviceId(random: () => number): string {
  return `${pad(int(random, 100, 899), 3)}-${pad(int(random, 1, 99), 2)}-${pad(int(random, 1, 9999), 4)}`;
}

function appVersion(random: () => number): string {
  return `${int(random, 0, 5)}.${int(random, 0, 20)}.${int(random, 0, 9)}`;
}

/** A body in the fixture's own formatting: `{"key": value, ...}`. */
function sampleJson(fields: Record<string, unknown>): string {
  return `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** Not an address, but still the sender's ip field: as secret as a good one, so each is random too. */
function badIp(random: () => number): string {
  const [a, b, c, d] = ipv4(random).split('.');
  switch (int(random, 0, 2)) {
    case 0:
      return `${a}.${b}.${c}.${int(random, 256, 999)}`; // octet out of range
    case 1:
      return `${a}.${b}.${c}.${d}.${int(random, 1, 254)}`; // five parts
    default:
      return `${a}.${b}.${c}.0${int(random, 1, 99)}`; // leading zero
  }
}

export interface GenerateOptions {
  seed: number;
  count: number;
  /** Share of permanently bad messages (invalid JSON, missing field, bad ip). */
  badRatio: number;
  /** How many poison messages, spread over the first tenth of the list. */
  poison?: number;
}

export function generateMessages(options: GenerateOptions): SyntheticMessage[] {
  const random = seededRandom(options.seed, 16);
  const poisonAt = new Set<number>();
  const poisonCount = options.poison ?? 0;
  const early = Math.max(poisonCount, Math.floor(options.count / 10));
  while (poisonAt.size < poisonCount) poisonAt.add(Math.floor(random() * early));

  const out: SyntheticMessage[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const userId = uuid(random);
    const ip = random() < 0.1 ? ipv6(random) : ipv4(random);
    const device = deviceId(random);
    const fields: Record<string, unknown> = {
      user_id: userId,
      app_version: appVersion(random),
      device_type: pick(random, DEVICE_TYPES),
      ip,
      locale: pick(random, LOCALES),
      device_id: device,
    };
    const pii = [ip, device];
    const canonical = canonicalIp(ip);
    if (canonical && canonical !== ip) pii.push(canonical);

    let kind: MessageKind = 'good';
    if (poisonAt.has(index)) kind = 'poison';
    else if (random() < options.badRatio) kind = pick(random, BAD_KINDS);

    let body: string;
    switch (kind) {
      case 'invalid_json': {
        // Cut inside the value after the device id's key: the plain device id
        // (PII) is partly in the body, which must still never be stored in the clear.
        const full = sampleJson(fields);
        body = full.slice(0, int(random, Math.floor(full.length / 2), full.length - 2));
        break;
      }
      case 'missing_field': {
        const drop = pick(random, ['device_id', 'ip', 'device_type', 'app_version'] as const);
        delete fields[drop];
        if (drop === 'ip') pii.splice(0, pii.length, device);
        if (drop === 'device_id') pii.splice(pii.indexOf(device), 1);
        body = sampleJson(fields);
        break;
      }
      case 'bad_ip': {
        const bad = badIp(random);
        fields.ip = bad;
        pii.splice(0, pii.length, bad, device);
        body = sampleJson(fields);
        break;
      }
      default:
        body = sampleJson(fields);
    }
    out.push({ index, kind, userId, body, pii });
  }
  return out;
}
