import { seededRandom } from './seeded-random.js';

/**
 * Seeded synthetic login messages shaped like test/fixtures/login-messages.jsonl:
 * same fields, same key order, same spelling (Python's json.dumps spacing),
 * about 30% of ips and device ids repeated from earlier messages, and a few
 * malformed bodies of the kinds a queue really sees. The same seed always
 * gives the same messages, so two runs of the bench write the same rows.
 * Shared by the bench and the tests (as seeded-random and sqs-event are).
 */

export interface GenerateOptions {
  seed: number;
  /** Extra bytes per valid body in an ignored field, to reach a payload size. */
  padding?: number;
}

/** Share of ips and device ids taken from earlier messages. */
const REPEAT_SHARE = 0.3;
/** Share of malformed bodies: one in 200. */
const MALFORMED_SHARE = 0.005;
const LOCALES = ['ID', 'CN', 'RU', 'FR', 'PT', 'PH', 'BR', 'KR', 'PA', 'VN', 'DE', 'US', 'MX', 'PL', 'UA', 'TH'];
const DEVICE_TYPES = ['ios', 'android'];
const MALFORMED = [
  () => '{"foo": "oops_wrong_msg_type", "bar": "123"}',
  () => '{"user_id": "truncated", "app_version": "1.0',
  () => '[1, 2, 3]',
  (uuid: string) =>
    `{"user_id": "${uuid}", "app_version": "1.0.0", "device_type": "ios", "ip": "not-an-ip", "locale": null, "device_id": "000-00-0000"}`,
];

/** A deterministic generator; `messages(n)` continues where the last call stopped. */
class MessageGenerator {
  readonly #random: () => number;
  readonly #padding: string;
  readonly #ips: string[] = [];
  readonly #devices: string[] = [];

  constructor(options: GenerateOptions) {
    this.#random = seededRandom(options.seed);
    this.#padding = 'x'.repeat(options.padding ?? 0);
  }

  #int(n: number): number {
    return Math.floor(this.#random() * n);
  }

  #pick<T>(list: readonly T[]): T {
    return list[this.#int(list.length)] as T;
  }

  #uuid(): string {
    const hex = (n: number) => Array.from({ length: n }, () => this.#int(16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + this.#int(4)).toString(16)}${hex(3)}-${hex(12)}`;
  }

  #ip(): string {
    if (this.#ips.length > 0 && this.#random() < REPEAT_SHARE) return this.#pick(this.#ips);
    const ip =
      this.#random() < 0.02
        ? `2001:db8:${this.#int(65536).toString(16)}::${this.#int(65536).toString(16)}`
        : `${1 + this.#int(223)}.${this.#int(256)}.${this.#int(256)}.${1 + this.#int(254)}`;
    this.#ips.push(ip);
    return ip;
  }

  #deviceId(): string {
    if (this.#devices.length > 0 && this.#random() < REPEAT_SHARE) return this.#pick(this.#devices);
    const d = (n: number) => String(this.#int(10 ** n)).padStart(n, '0');
    const id = `${d(3)}-${d(2)}-${d(4)}`;
    this.#devices.push(id);
    return id;
  }

  #appVersion(): string {
    const form = this.#int(3);
    if (form === 0) return `${this.#int(10)}.${this.#int(10)}.${this.#int(10)}`;
    if (form === 1) return `${this.#int(10)}.${this.#int(10)}`;
    return `${this.#int(10)}.${String(this.#int(100)).padStart(2, '0')}`;
  }

  /** One body, valid or (rarely) malformed. */
  body(): string {
    if (this.#random() < MALFORMED_SHARE) return this.#pick(MALFORMED)(this.#uuid());
    const locale = this.#random() < 0.3 ? 'null' : `"${this.#pick(LOCALES)}"`;
    const pad = this.#padding ? `, "padding": "${this.#padding}"` : '';
    return (
      `{"user_id": "${this.#uuid()}", "app_version": "${this.#appVersion()}", ` +
      `"device_type": "${this.#pick(DEVICE_TYPES)}", "ip": "${this.#ip()}", "locale": ${locale}, ` +
      `"device_id": "${this.#deviceId()}"${pad}}`
    );
  }

  bodies(n: number): string[] {
    return Array.from({ length: n }, () => this.body());
  }
}

/** `n` synthetic bodies from `seed`. */
export function generateBodies(n: number, options: GenerateOptions): string[] {
  return new MessageGenerator(options).bodies(n);
}
