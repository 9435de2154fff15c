import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/run-tool.js';

/**
 * docs/pii.md claims nothing that no test shows: every row of its threat
 * table names, in its last column, test files and the quoted names of tests
 * in them (or "all tests", or "same test" for the row above). Each named file
 * must exist and each quoted name must be the title of a test in the file
 * named before it, so a renamed or deleted test fails here instead of
 * leaving a claim without its proof.
 */
interface Proof {
  file: string;
  title: string;
}

function threatRows(): string[][] {
  const text = readFileSync(path.join(repoRoot, 'docs/pii.md'), 'utf8');
  const section = /^## Threat model[^\n]*\n([\s\S]*?)^## /m.exec(text)?.[1] ?? '';
  const table = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Threat') && !l.startsWith('|---'));
  return table
    .map((l) => l.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim()))
    .filter((cells) => cells.length === 3 && !/^`login_etl_|^analysts'|^the RDS master/.test(cells[0] ?? ''));
}

function proofsOf(cell: string): Proof[] | 'all-tests-or-same' {
  const proofs: Proof[] = [];
  let file: string | undefined;
  for (const m of cell.matchAll(/`(test\/[\w/.-]+\.test\.ts)`|"((?:[^"\\]|\\.)+)"/g)) {
    if (m[1]) file = m[1];
    else if (m[2] && file) proofs.push({ file, title: m[2].replaceAll('\\"', '"') });
  }
  return proofs.length === 0 && /all tests|same test/.test(cell) ? 'all-tests-or-same' : proofs;
}

describe('docs/pii.md threat model', () => {
  const rows = threatRows();

  it('has a row for every threat, each with a proof', () => {
    assert.ok(rows.length >= 15, `expected the threat table, found ${rows.length} rows`);
    for (const [threat, , proof] of rows) {
      const proofs = proofsOf(proof ?? '');
      assert.ok(proofs === 'all-tests-or-same' || proofs.length > 0, `no test named for: ${threat}`);
    }
  });

  it('names only test files that exist and test titles they contain', () => {
    for (const [threat, , proof] of rows) {
      for (const file of (proof ?? '').matchAll(/`(test\/[\w/.-]+\.test\.ts)`/g)) {
        assert.ok(existsSync(path.join(repoRoot, file[1] as string)), `${file[1]} (row: ${threat}) does not exist`);
      }
      const proofs = proofsOf(proof ?? '');
      if (proofs === 'all-tests-or-same') continue;
      for (const { file, title } of proofs) {
        const source = readFileSync(path.join(repoRoot, file), 'utf8');
        assert.ok(
          source.includes(`'${title}'`) || source.includes(`"${title}"`) || source.includes(`\`${title}\``),
          `${file} has no test titled "${title}" (row: ${threat})`,
        );
      }
    }
  });
});
