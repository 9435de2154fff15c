/**
 * Every tool explains itself. `--help` of every npm script that runs a tool
 * (read from package.json, so a new tool without a definition fails here)
 * prints its definition's description, every option it accepts with its
 * default (or the rule that makes it required), and an example; exits 0; and
 * does nothing else: no database, no keys, no queue, no embedded server. An unknown option is one
 * line naming it, exit 2. docs/queue.md's flags table agrees with consume's
 * definition.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultOf, invocation, whenAbsent, type CommandDefinition } from '../../tools/lib/command-line.js';
import { commands } from '../../tools/lib/commands/index.js';
import { consume } from '../../tools/lib/commands/queue.js';
import { repoRoot, runScript, type ToolRun } from '../support/run-tool.js';

interface ToolScript {
  script: string;
  file: string;
  args: string[];
}

const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** Every script that runs a TypeScript file of this repository: `tsx <file> [args]`. */
const tools: ToolScript[] = Object.entries(scripts).flatMap(([script, command]) => {
  const m = /^tsx (\S+\.ts)((?: \S+)*)$/.exec(command);
  return m ? [{ script, file: m[1] as string, args: (m[2] as string).split(' ').filter(Boolean) }] : [];
});

/** The script's definition: its own, or for `test:chaos` (the same file with arguments) the plain script's. */
function definitionOf(tool: ToolScript): CommandDefinition | undefined {
  const plain = tool.args.length > 0 ? Object.entries(scripts).find(([, command]) => command === `tsx ${tool.file}`)?.[0] : tool.script;
  return commands.find((c) => c.name === plain);
}

/** The lines of one section (`Options:`) of the help, up to the next blank line. */
function section(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** An option's lines in the Options section, joined as one line (wrapping only ever breaks at spaces). */
function optionText(options: string[], flag: string): string | undefined {
  const start = options.findIndex((l) => l.startsWith(`  ${flag} `) || l === `  ${flag}`);
  if (start < 0) return undefined;
  const rest = options.slice(start + 1);
  const end = rest.findIndex((l) => /^ {2}-/.test(l));
  return [options[start] as string, ...rest.slice(0, end < 0 ? undefined : end)].map((l) => l.trim()).join(' ');
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

// Where a tool would create the demo keys: it must stay empty.
const dataDir = mkdtempSync(path.join(tmpdir(), 'login-etl-help-'));
/** Nothing answers at these addresses: a tool that went on past --help to a database or a queue would fail. */
const env = {
  LOGIN_ETL_DATA_DIR: dataDir,
  DATABASE_URL: 'postgres://login_etl_help@127.0.0.1:1/nothing',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
  AWS_REGION: 'us-east-1',
};

/** Runs every tool with `args`, a few at a time. */
async function runAll(args: string[]): Promise<Map<string, ToolRun>> {
  const runs = new Map<string, ToolRun>();
  const queue = [...tools];
  const worker = async () => {
    for (let tool = queue.shift(); tool; tool = queue.shift()) {
      runs.set(tool.script, await runScript(path.join(repoRoot, tool.file), [...tool.args, ...args], env, 60_000));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return runs;
}

describe('every tool explains itself', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('package.json runs tools, and each has a definition in tools/lib/commands', () => {
    assert.ok(tools.length >= 14, `found ${tools.length} tool scripts`);
    for (const tool of tools) assert.ok(definitionOf(tool), `npm run ${tool.script} (${tool.file}) has no definition in tools/lib/commands/index.ts`);
  });

  it('--help prints the description, every option with its default, and an example; exits 0 having done nothing else', { timeout: 300_000 }, async () => {
    const runs = await runAll(['--help']);
    for (const tool of tools) {
      const definition = definitionOf(tool) as CommandDefinition;
      const run = runs.get(tool.script) as ToolRun;
      const what = `npm run ${tool.script} -- --help`;
      assert.deepEqual([run.code, run.stderr], [0, ''], `${what}: exit 0, nothing on stderr`);
      assert.match(run.stdout, new RegExp(`^Usage: ${invocation(definition.name)}\\b`), what);
      assert.ok(oneLine(run.stdout).includes(oneLine(definition.description)), `${what}: the description`);

      const options = section(run.stdout, 'Options');
      const shown = options.flatMap((l) => /^ {2}(?:-\w, )?--([\w-]+)/.exec(l)?.[1] ?? []);
      assert.deepEqual(shown.sort(), [...Object.keys(definition.options), 'help'].sort(), `${what}: every option it accepts, and no other`);
      for (const [name, option] of Object.entries(definition.options)) {
        const text = optionText(options, `--${name}`) ?? '';
        assert.ok(text.includes(oneLine(option.description)), `${what}: --${name}'s description`);
        assert.ok(text.endsWith(whenAbsent(definition, name)), `${what}: --${name} ends with "${whenAbsent(definition, name)}": ${text}`);
        const stated = defaultOf(option) !== undefined ? /default: \S/ : /required|(exactly|at least) one of/;
        assert.match(text, stated, `${what}: --${name} states its default or that it is required`);
      }

      const examples = section(run.stdout, 'Examples').concat(section(run.stdout, 'Example'));
      assert.ok(examples.length > 0 && examples.every((l) => l.startsWith('  ')), `${what}: an Example section`);
      assert.deepEqual(examples.map((l) => l.trim()), [...definition.examples], `${what}: its examples`);
    }
    assert.deepEqual(readdirSync(dataDir), [], 'no keys, no embedded server: --help returns before any I/O');
  });

  it('an unknown option is one line naming it, exit 2, before anything is done', { timeout: 300_000 }, async () => {
    const runs = await runAll(['--nope']);
    for (const tool of tools) {
      const definition = definitionOf(tool) as CommandDefinition;
      const run = runs.get(tool.script) as ToolRun;
      assert.deepEqual(
        [run.code, run.stdout, run.stderr],
        [2, '', `${definition.name}: unknown option --nope (${invocation(definition.name)} -- --help lists the options)\n`],
        `npm run ${tool.script} -- --nope`,
      );
    }
    assert.deepEqual(readdirSync(dataDir), []);
  });
});

describe("docs/queue.md's flags table", () => {
  const text = readFileSync(path.join(repoRoot, 'docs', 'queue.md'), 'utf8');
  const table = text.slice(text.indexOf('## Flags and the event source mapping'));
  const rows = [...table.matchAll(/^\| `(--[\w-]+)(?: ([^`]+))?` \|[^|]*\| ([^|]*) \|/gm)].map((m) => ({
    flag: m[1] as string,
    value: m[2],
    default: (m[3] as string).trim().replace(/^`(.*)`$/, '$1'),
  }));

  it("lists each of consume's options with its value and, for numbers and flags, its default", () => {
    assert.deepEqual(rows.map((r) => r.flag).sort(), Object.keys(consume.options).map((name) => `--${name}`).sort());
    for (const row of rows) {
      const option = consume.options[row.flag.slice(2) as keyof typeof consume.options];
      assert.equal(row.value, option.type === 'flag' ? undefined : option.value, `${row.flag}: the value's name`);
      if (option.type === 'number' || option.type === 'flag') assert.equal(row.default, defaultOf(option), `${row.flag}: the default`);
    }
  });
});
