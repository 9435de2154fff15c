import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLogin } from '../../../lambda/record/parse-login.js';
import { generateBodies } from '../../../tools/lib/login-generator.js';
import { sampleBodies } from '../../support/samples.js';

describe('login generator (bench data, shared with the tests)', () => {
  const bodies = generateBodies(5_000, { seed: 42 });

  it('is deterministic per seed', () => {
    assert.deepEqual(generateBodies(50, { seed: 42 }), bodies.slice(0, 50));
    assert.notDeepEqual(generateBodies(50, { seed: 43 }), bodies.slice(0, 50));
  });

  it('writes messages shaped like the fixture, a few of them malformed', () => {
    const keys = (b: string) => Object.keys(JSON.parse(b) as object).join(',');
    const fixtureKeys = keys(sampleBodies[0] as string);
    const parsed = bodies.map((b) => parseLogin(b));
    const valid = bodies.filter((_, i) => parsed[i]?.ok);
    assert.ok(valid.every((b) => keys(b) === fixtureKeys), 'same fields in the same order');
    assert.ok(valid.every((b) => b.includes('", "')), 'same spacing as the fixture');
    const malformed = bodies.length - valid.length;
    assert.ok(malformed >= 5 && malformed <= 60, `${malformed} malformed of ${bodies.length}`);
  });

  it('repeats about 30% of ips and device ids', () => {
    for (const field of ['ip', 'device_id']) {
      const values = bodies.flatMap((b) => [...b.matchAll(new RegExp(`"${field}": "([^"]+)"`, 'g'))].map((m) => m[1]));
      const repeated = 1 - new Set(values).size / values.length;
      assert.ok(repeated > 0.25 && repeated < 0.35, `${field}: ${(repeated * 100).toFixed(1)}% repeated`);
    }
  });
});
