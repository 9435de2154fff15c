/**
 * One declarative definition per command line tool. From it come node's
 * parseArgs configuration, the --help text, the checks of values (numbers
 * through the schemas of shared/values.ts, choices, required options, groups
 * of options) and the one-line errors that name the flag at fault.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { redactText } from '../../lambda/observability/redact.js';
import { parseValues } from '../../shared/values.js';
import { runCli, UsageError } from './cli.js';

interface Described {
  /** What it is for: a lowercase phrase, shown in --help and in the message when it is missing. */
  description: string;
}

/** Present or absent (`--drain`): off unless given. */
export interface FlagOption extends Described {
  type: 'flag';
}

/** Free text (`--queue-url URL`): checked by its schema, if any, else where it is used. */
export interface TextOption extends Described {
  type: 'text';
  /** The value's placeholder: `URL`, `<why>`. */
  value: string;
  schema?: z.ZodType<string, string>;
  default?: string;
  /** What applies when the option is absent and the default is decided at run time (an env var, the OS user). */
  defaultText?: string;
  required?: boolean;
}

/** A number, or a list of them, checked by a schema of shared/values.ts. */
interface NumberOption<S extends z.ZodType = z.ZodType> extends Described {
  type: 'number';
  value: string;
  schema: S;
  default: z.output<S>;
}

/** One of a fixed set of words. */
interface ChoiceOption<C extends string = string> extends Described {
  type: 'choice';
  value: string;
  choices: readonly C[];
  default?: C;
  required?: boolean;
}

type OptionDefinition = FlagOption | TextOption | NumberOption | ChoiceOption;

/** Options that go together: `exactly one` of them, `at least one`, or `at most one`. */
interface OptionGroup<K extends string = string> {
  options: readonly K[];
  rule: 'exactly one' | 'at least one' | 'at most one';
}

/** The arguments that are not options: exactly `one`, or `any` number. */
interface PositionalDefinition {
  /** As shown: `file.jsonl`. */
  name: string;
  description: string;
  count: 'one' | 'any';
}

export interface CommandDefinition<O extends Readonly<Record<string, OptionDefinition>> = Readonly<Record<string, OptionDefinition>>> {
  /** The npm script that runs it. */
  name: string;
  /** One paragraph: what it does, what it prints, what it needs. */
  description: string;
  options: O;
  groups?: readonly OptionGroup[];
  positionals?: PositionalDefinition;
  /** Whole command lines, as a user types them. */
  examples: readonly string[];
}

type Given = { default: unknown } | { required: true };

type ValueOf<O> = O extends { type: 'flag' }
  ? boolean
  : O extends { type: 'number'; schema: infer S extends z.ZodType }
    ? z.output<S>
    : O extends { type: 'choice'; choices: readonly (infer C)[] }
      ? O extends Given ? C : C | undefined
      : O extends Given ? string : string | undefined;

export type CommandOptions<D extends CommandDefinition> = { -readonly [K in keyof D['options']]: ValueOf<D['options'][K]> };

interface ParsedCommand<D extends CommandDefinition> {
  options: CommandOptions<D>;
  positionals: string[];
}

const HELP = { type: 'flag', description: 'print this help and exit' } as const satisfies FlagOption;

/** npm's own shorthands run without `run`. */
const NPM_SHORTHANDS = new Set(['test', 'start', 'stop', 'restart']);

export const invocation = (name: string): string => (NPM_SHORTHANDS.has(name) ? `npm ${name}` : `npm run ${name}`);

/**
 * Checks what no type can: every option shows a default, is required or
 * belongs to a group that says when it is needed; every default passes its
 * schema; groups name real options. A mistake here is the program's, so it
 * throws at load time and the tests catch it.
 */
export function defineCommand<const O extends Readonly<Record<string, OptionDefinition>>>(
  definition: CommandDefinition<O> & { groups?: readonly OptionGroup<keyof O & string>[] },
): CommandDefinition<O> {
  const fault = (what: string) => new Error(`${definition.name}: ${what}`);
  if (Object.hasOwn(definition.options, 'help')) throw fault('--help is every command\'s own');
  const grouped = new Set(definition.groups?.flatMap((g) => g.options));
  for (const name of grouped) if (!Object.hasOwn(definition.options, name)) throw fault(`group names an unknown option --${name}`);
  for (const [name, option] of Object.entries(definition.options)) {
    if (option.type === 'number' && !option.schema.safeParse(option.default).success) throw fault(`--${name}'s default fails its schema`);
    if (option.type === 'choice' && option.default !== undefined && !option.choices.includes(option.default)) throw fault(`--${name}'s default is not a choice`);
    if ((option.type === 'text' || option.type === 'choice') && defaultOf(option) === undefined && !isRequired(option) && !grouped.has(name)) {
      throw fault(`--${name} needs a default, a defaultText, required, or a group`);
    }
  }
  if (definition.examples.length === 0) throw fault('needs an example');
  return definition;
}

const isRequired = (option: OptionDefinition): boolean => (option.type === 'text' || option.type === 'choice') && option.required === true;

/** The default as --help shows it; undefined for an option that has none. */
export function defaultOf(option: OptionDefinition): string | undefined {
  switch (option.type) {
    case 'flag':
      return 'off';
    case 'number':
      return Array.isArray(option.default) ? option.default.join(',') : String(option.default);
    case 'text':
      return option.default ?? option.defaultText;
    case 'choice':
      return option.default;
  }
}

/** What --help says under an option: its default, that it is required, or its group's rule. */
export function whenAbsent(definition: CommandDefinition, name: string): string {
  const option = definition.options[name] as OptionDefinition;
  const group = definition.groups?.find((g) => g.options.includes(name));
  const others = group?.options.filter((o) => o !== name).map((o) => `--${o}`);
  if (group && group.rule !== 'at most one') return `${group.rule} of ${group.options.map((o) => `--${o}`).join(', ')}`;
  if (isRequired(option)) return 'required';
  const given = `default: ${defaultOf(option)}`;
  return group ? `${given}; not with ${others?.join(', ')}` : given;
}

function parseArgsConfig(definition: CommandDefinition): NonNullable<ParseArgsConfig['options']> {
  const config: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(definition.options)) config[name] = { type: option.type === 'flag' ? 'boolean' : 'string' };
  return config;
}

/**
 * The command line as the definition reads it, or 'help' when --help (or -h)
 * was given. Unknown options and malformed ones fail first, then --help wins
 * over everything else, then arguments, required options, groups and values.
 */
export function parseCommandLine<D extends CommandDefinition>(definition: D, args: readonly string[]): ParsedCommand<D> | 'help' {
  const { tokens } = parseArgs({ args: [...args], options: parseArgsConfig(definition), strict: false, allowPositionals: true, tokens: true });
  const given: Record<string, string | true> = {};
  const positionals: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = token.name === 'help' ? HELP : Object.hasOwn(definition.options, token.name) ? definition.options[token.name] : undefined;
    if (option === undefined) {
      throw new UsageError(`unknown option ${token.rawName} (${invocation(definition.name)} -- --help lists the options)`);
    }
    given[token.name] = tokenValue(token.rawName, option, token.value, token.inlineValue);
    if (token.name === 'help') help = true;
  }
  if (help) return 'help';
  checkPositionals(definition, positionals);
  checkPresence(definition, given);
  return { options: optionValues(definition, given) as CommandOptions<D>, positionals };
}

function tokenValue(rawName: string, option: OptionDefinition, value: string | undefined, inline: boolean | undefined): string | true {
  if (option.type === 'flag') {
    if (value !== undefined) throw new UsageError(`${rawName} takes no value`);
    return true;
  }
  // `--window --drain`: the next option is no value, but `--seed -1` is one.
  if (value === undefined || (!inline && /^-[^\d]/.test(value))) throw new UsageError(`${rawName} needs a value: ${rawName} ${option.value}`);
  return value;
}

function checkPositionals(definition: CommandDefinition, positionals: string[]): void {
  const expected = definition.positionals;
  const allowed = expected === undefined ? 0 : expected.count === 'one' ? 1 : Infinity;
  if (positionals.length > allowed) {
    // Not repeated: an argument given by mistake may be a value that must not be printed (an ip for lookup).
    const takes = expected ? `one <${expected.name}>` : 'options only';
    throw new UsageError(`${invocation(definition.name)} takes ${takes}, but was given ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  }
  if (expected?.count === 'one' && positionals.length === 0) throw new UsageError(`<${expected.name}> is required: ${expected.description}`);
}

function checkPresence(definition: CommandDefinition, given: Record<string, string | true>): void {
  for (const [name, option] of Object.entries(definition.options)) {
    if (!isRequired(option) || given[name] !== undefined) continue;
    throw new UsageError(`--${name} is required: ${option.type === 'choice' ? `one of ${option.choices.join(', ')}` : option.description}`);
  }
  for (const group of definition.groups ?? []) {
    const count = group.options.filter((name) => given[name] !== undefined).length;
    const fits = group.rule === 'exactly one' ? count === 1 : group.rule === 'at least one' ? count >= 1 : count <= 1;
    if (fits) continue;
    throw new UsageError(`give ${group.rule} of ${group.options.map((name) => usageOf(definition, name)).join(', ')}`);
  }
}

/** Every option's value through one schema, defaults filled in; parseValues names the flag at fault. */
function optionValues(definition: CommandDefinition, given: Record<string, string | true>): Record<string, unknown> {
  const schemas = Object.fromEntries(Object.entries(definition.options).map(([name, option]) => [name, schemaOf(option)]));
  // The value is repeated to show what was wrong, but never an IP address: --ip is PII.
  const problem = (flag: string, expected: string) => new UsageError(`--${flag} ${JSON.stringify(redactText(String(given[flag])))}: ${expected}`);
  return parseValues(z.object(schemas), given, problem);
}

function schemaOf(option: OptionDefinition): z.ZodType {
  const orDefault = (schema: z.ZodType, value: unknown) => (value === undefined ? schema.optional() : schema.default(value));
  switch (option.type) {
    case 'flag':
      return z.boolean().default(false);
    case 'text':
      return orDefault(option.schema ?? z.string(), option.default);
    case 'number':
      return orDefault(option.schema, option.default);
    case 'choice':
      return orDefault(z.enum(option.choices as [string, ...string[]], { error: `expected one of ${option.choices.join(', ')}` }), option.default);
  }
}

/** The --help text: usage, the description, each option with its default, the arguments, examples. */
export function formatHelp(definition: CommandDefinition): string {
  const rows: [string, string[]][] = Object.entries(definition.options).map(([name, option]) => [
    usageOf(definition, name),
    [option.description, whenAbsent(definition, name)],
  ]);
  rows.push(['-h, --help', [HELP.description]]);
  const p = definition.positionals;
  const argument: [string, string[]] | undefined = p && [`<${p.name}>`, [p.description, p.count === 'one' ? 'required' : 'default: none']];
  const width = Math.min(30, Math.max(...[...rows, ...(argument ? [argument] : [])].map(([left]) => left.length)) + 2);
  const sections = [
    wrap(['Usage:', invocation(definition.name), ...synopsis(definition)], WIDTH, '         '),
    wrap(definition.description.split(' '), WIDTH),
    ['Options:', ...rows.map(([left, texts]) => twoColumns(left, texts, width))].join('\n'),
  ];
  if (argument) sections.push(['Arguments:', twoColumns(...argument, width)].join('\n'));
  sections.push([definition.examples.length === 1 ? 'Example:' : 'Examples:', ...definition.examples.map((e) => `  ${e}`)].join('\n'));
  return `${sections.join('\n\n')}\n`;
}

const WIDTH = 80;

const usageOf = (definition: CommandDefinition, name: string): string => {
  const option = definition.options[name] as OptionDefinition;
  return option.type === 'flag' ? `--${name}` : `--${name} ${option.value}`;
};

/** `-- --a X [--b Y] (--c Z | --d W) [--e] <file>`: required bare, optional in brackets, groups in parentheses. */
function synopsis(definition: CommandDefinition): string[] {
  const shown = new Set<string>();
  const parts: string[] = [];
  for (const name of Object.keys(definition.options)) {
    if (shown.has(name)) continue;
    const group = definition.groups?.find((g) => g.options.includes(name));
    const names = group?.options ?? [name];
    names.forEach((n) => shown.add(n));
    const text = names.map((n) => usageOf(definition, n)).join(' | ');
    if (group) parts.push(group.rule === 'at most one' ? `[${text}]` : `(${text})`);
    else parts.push(isRequired(definition.options[name] as OptionDefinition) ? text : `[${text}]`);
  }
  const p = definition.positionals;
  if (p) parts.push(p.count === 'one' ? `<${p.name}>` : `[${p.name}...]`);
  return parts.length > 0 ? ['--', ...parts] : [];
}

/** The left column, then each text wrapped on lines of its own in the right one. */
function twoColumns(left: string, texts: string[], width: number): string {
  const indent = ' '.repeat(width + 2);
  const lines = texts.flatMap((text) => wrap(text.split(' '), WIDTH - indent.length).split('\n'));
  const first = left.length <= width - 2 ? `  ${left.padEnd(width)}${lines.shift()}` : `  ${left}`;
  return [first, ...lines.map((l) => `${indent}${l}`)].join('\n');
}

/** Greedy wrap of `words` (never split); `indent` starts every line but the first. */
function wrap(words: string[], width: number, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of words.filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && candidate.length > width) {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = candidate;
  }
  lines.push(line);
  return lines.join('\n');
}

/**
 * Runs a tool defined by `definition`: --help is printed and exits 0 before
 * `main` runs, so it does no I/O; a usage mistake is one line and exit 2.
 */
export function runCommand<D extends CommandDefinition>(
  definition: D,
  main: (parsed: ParsedCommand<D>) => Promise<number | void>,
  args: readonly string[] = process.argv.slice(2),
): void {
  runCli(definition.name, async () => {
    const parsed = parseCommandLine(definition, args);
    if (parsed !== 'help') return main(parsed);
    process.stdout.write(formatHelp(definition));
    return 0;
  });
}
