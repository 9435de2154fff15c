/**
 * Reads what the docs say about alarms and metrics, by the conventions
 * docs/operations.md states in its "Alarms and dashboard" section:
 * - the alarm table under "### Alarms" has one row per alarm, its name in
 *   backticks in the first cell, followed by "(RDS only)" or "(Aurora only)"
 *   when only one engine (`-c database=`) has it;
 * - prose refers to an alarm as alarm `Name` (or `Name` alarm);
 * - a paragraph that says "Watch" names metrics in backticks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseEngine } from '../../infra/context.js';
import { repoRoot } from '../../infra/paths.js';

const docsDir = path.join(repoRoot, 'docs');
const operations = () => readFileSync(path.join(docsDir, 'operations.md'), 'utf8');

/** The lines of a markdown section, from its heading to the next heading of the same or a higher level. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`no "${heading}" heading`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

const ONLY = { rds: 'RDS', aurora: 'Aurora' } as const satisfies Record<DatabaseEngine, string>;

/** The rows of the alarm table: each alarm's name and, if it has one, the only engine it exists on. */
function alarmRows(): { name: string; only?: DatabaseEngine }[] {
  return section(operations(), '### Alarms').flatMap((l) => {
    const m = /^\|\s*`([A-Za-z]+)`(?:\s*\((RDS|Aurora) only\))?\s*\|/.exec(l);
    if (!m) return [];
    const only = (Object.keys(ONLY) as DatabaseEngine[]).find((e) => ONLY[e] === m[2]);
    return [{ name: m[1] as string, ...(only ? { only } : {}) }];
  });
}

/** The alarm table's names for a stack on `engine`: every row but those marked for the other engine, sorted. */
export function docAlarmNames(engine: DatabaseEngine): string[] {
  return alarmRows()
    .filter((r) => r.only === undefined || r.only === engine)
    .map((r) => r.name)
    .sort();
}

/** Every name in the alarm table, whichever engine has it. */
export function docAlarmTableNames(): Set<string> {
  return new Set(alarmRows().map((r) => r.name));
}

/** Every "alarm `X`" / "`X` alarm" in docs/*.md and README.md. */
export function docAlarmMentions(): { file: string; name: string }[] {
  const files = [
    ...readdirSync(docsDir)
      .filter((f) => f.endsWith('.md'))
      .map((f) => path.join(docsDir, f)),
    path.join(repoRoot, 'README.md'),
  ];
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const names = [
      ...text.matchAll(/\balarms?\s+`([A-Za-z]+)`/g),
      ...text.matchAll(/`([A-Za-z]+)`\s+alarm\b/g),
    ].map((m) => m[1] as string);
    return names.map((name) => ({ file: path.relative(repoRoot, file), name }));
  });
}

/** CamelCase names in backticks in every paragraph of operations.md that says "Watch". */
export function docWatchedMetrics(): string[] {
  const paragraphs = operations().split(/\n\s*\n/).filter((p) => /\bWatch\b/.test(p));
  const names = paragraphs.flatMap((p) => [...p.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1] as string));
  return [...new Set(names)];
}
