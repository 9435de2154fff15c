/** The command line definitions: what --help prints, how a command line is read, the one-line errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { wholeNumber, wholeNumbers } from '../../../shared/values.js';
import { UsageError } from '../../../tools/lib/cli.js';
import { defineCommand, formatHelp, invocation, parseCommandLine } from '../../../tools/lib/command-line.js';
import { commands } from '../../../tools/lib/commands/index.js';

const sample = defineCommand({
  name: 'sample',
  description: 'Does one thing well.',
  options: {
    'queue-url': { type: 'text', value: 'URL', description: 'the queue', defaultText: 'SQS_QUEUE_URL' },
    size: { type: 'number', value: 'N', schema: wholeNumber(1, 10), default: 10, description: 'records per batch' },
    sizes: { type: 'number', value: 'LIST', schema: wholeNumbers(1, 100), default: [1, 2], description: 'batch sizes' },
    kind: { type: 'choice', value: '<kind>', choices: ['ip', 'device_id'], required: true, description: 'what to look for' },
    name: { type: 'text', value: '<name>', description: 'a name', schema: z.string().max(3, { error: 'expected at most 3 characters' }), default: 'abc' },
    ip: { type: 'text', value: '<address>', description: 'an address' },
    'device-id': { type: 'text', value: '<id>', description: 'a device id' },
    drain: { type: 'flag', description: 'stop when empty' },
    retire: { type: 'flag', description: 'retire instead' },
  },
  groups: [
    { options: ['ip', 'device-id'], rule: 'at least one' },
    { options: ['drain', 'retire'], rule: 'at most one' },
  ],
  positionals: { name: 'file.jsonl', description: 'the messages', count: 'one' },
  examples: ['npm run sample -- --kind ip --ip 1.2.3.4 f.jsonl'],
});

const parse = (args: string[]) => parseCommandLine(sample, [...args]);
const base = ['--kind', 'ip', '--ip', '1.2.3.4', 'f.jsonl'];

/** A UsageError (one line, exit 2) with exactly this message. */
const usage = (args: string[], message: string) =>
  assert.throws(
    () => parse(args),
    (error: unknown) => error instanceof UsageError && error.message === message,
    `${args.join(' ')}: expected "${message}"`,
  );

describe('command line definitions', () => {
  it('--help shows the usage, the description, each option with its default or rule, the arguments and the examples', () => {
    assert.equal(
      formatHelp(sample),
      `Usage: npm run sample -- [--queue-url URL] [--size N] [--sizes LIST]
         --kind <kind> [--name <name>] (--ip <address> | --device-id <id>)
         [--drain | --retire] <file.jsonl>

Does one thing well.

Options:
  --queue-url URL   the queue
                    default: SQS_QUEUE_URL
  --size N          records per batch
                    default: 10
  --sizes LIST      batch sizes
                    default: 1,2
  --kind <kind>     what to look for
                    required
  --name <name>     a name
                    default: abc
  --ip <address>    an address
                    at least one of --ip, --device-id
  --device-id <id>  a device id
                    at least one of --ip, --device-id
  --drain           stop when empty
                    default: off; not with --retire
  --retire          retire instead
                    default: off; not with --drain
  -h, --help        print this help and exit

Arguments:
  <file.jsonl>      the messages
                    required

Example:
  npm run sample -- --kind ip --ip 1.2.3.4 f.jsonl
`,
    );
  });

  it('reads values, fills in defaults and checks numbers, lists and choices by their schemas', () => {
    assert.deepEqual(parse(base), {
      options: { size: 10, sizes: [1, 2], kind: 'ip', name: 'abc', ip: '1.2.3.4', drain: false, retire: false },
      positionals: ['f.jsonl'],
    });
    const given = parse([...base, '--size=3', '--sizes', '4,2,4', '--name', 'x', '--drain', '--queue-url', 'http://q']);
    assert.ok(given !== 'help');
    assert.deepEqual([given.options.size, given.options.sizes, given.options.name, given.options.drain, given.options['queue-url']], [3, [2, 4], 'x', true, 'http://q']);
  });

  it('--help (or -h) wins over everything but an unknown option', () => {
    assert.equal(parse(['--help']), 'help');
    assert.equal(parse(['-h', '--size', '0', 'a', 'b']), 'help');
  });

  it('an unknown or malformed option is one line that names it', () => {
    usage(['--nope'], 'unknown option --nope (npm run sample -- --help lists the options)');
    usage(['--nope=1', '--help'], 'unknown option --nope (npm run sample -- --help lists the options)');
    usage(['-x'], 'unknown option -x (npm run sample -- --help lists the options)');
    usage([...base, '--drain=yes'], '--drain takes no value');
    usage([...base, '--size'], '--size needs a value: --size N');
    usage([...base, '--queue-url', '--drain'], '--queue-url needs a value: --queue-url URL');
  });

  it('a value its schema refuses names the flag and what it expects, never repeating an ip', () => {
    usage([...base, '--size', '0'], '--size "0": expected a whole number from 1 to 10');
    usage([...base, '--size', '-1'], '--size "-1": expected a whole number from 1 to 10');
    usage([...base, '--sizes', '1,x'], '--sizes "1,x": expected whole numbers from 1 to 100, separated by commas');
    usage(['--kind', 'user', '--ip', 'a', 'f'], '--kind "user": expected one of ip, device_id');
    usage([...base, '--name', 'abcd'], '--name "abcd": expected at most 3 characters');
    usage([...base, '--size', '10.1.2.3'], '--size "[ip]": expected a whole number from 1 to 10');
  });

  it('required options, groups and arguments, without repeating an argument', () => {
    usage(['--ip', 'a', 'f'], '--kind is required: one of ip, device_id');
    usage(['--kind', 'ip', 'f'], 'give at least one of --ip <address>, --device-id <id>');
    usage([...base, '--drain', '--retire'], 'give at most one of --drain, --retire');
    usage(['--kind', 'ip', '--ip', 'a'], '<file.jsonl> is required: the messages');
    usage([...base, '10.1.2.3'], 'npm run sample takes one <file.jsonl>, but was given 2 arguments');
    const none = defineCommand({ name: 'test', description: 'd', options: {}, examples: ['npm test'] });
    assert.throws(() => parseCommandLine(none, ['x']), { message: 'npm test takes options only, but was given 1 argument' });
  });

  it('refuses a definition that leaves an option without a default, a bad default, or no example', () => {
    const option = { type: 'text', value: 'X', description: 'x' } as const;
    assert.throws(() => defineCommand({ name: 'c', description: 'd', options: { x: option }, examples: ['npm run c'] }), /--x needs a default/);
    const number = { type: 'number', value: 'N', schema: wholeNumber(1), default: 0, description: 'n' } as const;
    assert.throws(() => defineCommand({ name: 'c', description: 'd', options: { n: number }, examples: ['npm run c'] }), /--n's default fails its schema/);
    assert.throws(() => defineCommand({ name: 'c', description: 'd', options: {}, examples: [] }), /needs an example/);
    assert.throws(() => defineCommand({ name: 'c', description: 'd', options: { help: { type: 'flag', description: 'h' } }, examples: ['npm run c'] }), /--help/);
  });

  it("every tool's examples are command lines its definition accepts", () => {
    for (const command of commands) {
      for (const example of command.examples) {
        // `VAR=value npm run x -- args` and `producer | npm run x -- args`: the tool's own part.
        const words = shellWords(example.split(' | ').at(-1) as string);
        while (/^[A-Z_]+=/.test(words[0] ?? '')) words.shift();
        const head = invocation(command.name).split(' ');
        assert.deepEqual(words.slice(0, head.length), head, `${command.name}: "${example}" runs another command`);
        // npm keeps options before `--` for itself.
        const [separator, ...args] = words.slice(head.length);
        assert.ok(separator === undefined || separator === '--', `${command.name}: "${example}" needs -- before its arguments`);
        assert.notEqual(parseCommandLine(command, args), 'help', example);
      }
    }
  });
});

/** Words as a POSIX shell splits them, for examples that quote with "…" only. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? (m[2] as string));
}
