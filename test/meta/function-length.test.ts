import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../support/run-tool.js';

/**
 * Small functions: none over 60 lines in lambda/ (the function's code) and
 * none over 80 in infra/ (a construct may wire more), counted from the line
 * of its declaration to the line of its closing brace. Every function,
 * method, constructor, accessor and arrow function counts, nested ones too.
 */
const LIMITS = { lambda: 60, infra: 80 } as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

function longFunctions(file: string, limit: number): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : ts.isConstructorDeclaration(node) ? 'constructor' : '(anonymous)';
      if (lines > limit) found.push(`${path.relative(repoRoot, file)}:${first + 1} ${name}: ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('function length', () => {
  for (const [dir, limit] of Object.entries(LIMITS)) {
    it(`no function in ${dir}/ is longer than ${limit} lines`, () => {
      assert.deepEqual(sourceFiles(dir).flatMap((file) => longFunctions(file, limit)), []);
    });
  }
});
