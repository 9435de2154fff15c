import type pg from 'pg';

/**
 * Finds any of many thousand needles (every generated ip and device id) in
 * large texts in one pass: at each position whose character can start a
 * needle, look the substrings of the needles' lengths up in a set. findPii()
 * and scanDatabaseForPii() test needle by needle, which is fine for the 200
 * sample values and far too slow for 20,000 values over megabytes of logs.
 */
export class NeedleSet {
  readonly #byLength = new Map<number, Set<string>>();
  readonly #starts = new Set<string>();
  readonly size: number;

  constructor(needles: Iterable<string>) {
    let size = 0;
    for (const n of needles) {
      if (n.length < 4) continue; // too short to mean anything alone
      let set = this.#byLength.get(n.length);
      if (!set) this.#byLength.set(n.length, (set = new Set()));
      if (!set.has(n)) size += 1;
      set.add(n);
      this.#starts.add(n[0] as string);
    }
    this.size = size;
  }

  /** The needles found in `text` (at most `limit`). */
  find(text: string, limit = 10): string[] {
    const found = new Set<string>();
    const lengths = [...this.#byLength.entries()];
    for (let i = 0; i < text.length; i += 1) {
      if (!this.#starts.has(text[i] as string)) continue;
      for (const [length, set] of lengths) {
        if (i + length > text.length) continue;
        const candidate = text.slice(i, i + length);
        if (set.has(candidate)) {
          found.add(candidate);
          if (found.size >= limit) return [...found];
        }
      }
    }
    return [...found];
  }
}

/**
 * Every text-like, json and bytea column of every table in the public schema,
 * read whole: returns "table.column: <how many values hit>" for each place a
 * needle appears in the clear (bytea is read as latin1, so a plaintext inside
 * a binary value is found too).
 */
export async function scanDatabaseForNeedles(pool: pg.Pool, needles: NeedleSet): Promise<{ hits: string[]; values: number; bytes: number }> {
  const columns = await pool.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'public'
       AND data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea', 'ARRAY', 'USER-DEFINED')
     ORDER BY table_name, column_name`,
  );
  const hits: string[] = [];
  let values = 0;
  let bytes = 0;
  for (const { table_name, column_name, data_type } of columns.rows) {
    const column = `"${column_name.replaceAll('"', '""')}"`;
    const expr = data_type === 'bytea' ? column : `${column}::text`;
    const rows = await pool.query<{ v: string | Buffer | null }>(`SELECT ${expr} AS v FROM "${table_name.replaceAll('"', '""')}"`);
    let count = 0;
    for (const { v } of rows.rows) {
      if (v === null) continue;
      const text = Buffer.isBuffer(v) ? v.toString('latin1') : v;
      values += 1;
      bytes += text.length;
      if (needles.find(text, 1).length > 0) count += 1;
    }
    if (count > 0) hits.push(`${table_name}.${column_name}: ${count}`);
  }
  return { hits, values, bytes };
}
