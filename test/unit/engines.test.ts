import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';
import { repoRoot } from '../support/run-tool.js';

/**
 * The Node.js APIs newer than 20.0 that login-etl uses, and the releases that
 * have them (per major line; a line absent from a range never had it).
 */
const NEWER_APIS = [
  { api: 'crypto.hash()', usedBy: 'lambda/masking/hmac-sha256.ts', releases: '^20.12.0 || >=21.7.0' },
  { api: 'process.getBuiltinModule()', usedBy: 'infra/bundling/node-http.cjs (the bundle)', releases: '^20.16.0 || >=22.3.0' },
  { api: 'fs.Dirent#parentPath', usedBy: 'tools/run-tests.ts', releases: '^20.12.0 || >=21.4.0' },
] as const;

const engines = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

/** Every minor of the major lines from 20 on, as x.y.0 and x.y.99. */
const releases = [20, 21, 22, 23, 24, 25].flatMap((major) =>
  Array.from({ length: 30 }, (_, minor) => [`${major}.${minor}.0`, `${major}.${minor}.99`]).flat(),
);

describe('package.json engines', () => {
  it('admits exactly the Node.js releases that have every API the code uses', () => {
    for (const version of releases) {
      const missing = NEWER_APIS.filter((a) => !semver.satisfies(version, a.releases)).map((a) => a.api);
      assert.equal(semver.satisfies(version, engines), missing.length === 0, `${version}: engines "${engines}", missing ${missing.join(', ') || 'nothing'}`);
    }
  });

  it('admits the Node.js running the tests and the Lambda runtime (nodejs24.x)', () => {
    assert.ok(semver.satisfies(process.versions.node, engines), process.versions.node);
    assert.ok(semver.satisfies('24.0.0', engines));
  });
});
