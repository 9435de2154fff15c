import type pg from 'pg';
import { samplePii } from './samples.js';

/**
 * Reads every text-like and bytea column of every table in the database and
 * returns "table.column" for each place a needle appears in plain text.
 */
export async function scanDatabaseForPii(pool: pg.Pool, needles: readonly string[] = samplePii): Promise<string[]> {
  const columns = await pool.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'public'
       AND data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea', 'ARRAY')`,
  );
  const hits: string[] = [];
  const buffers = needles.map((n) => Buffer.from(n, 'utf8'));
  for (const { table_name, column_name, data_type } of columns.rows) {
    const expr = data_type === 'bytea' ? `"${column_name}"` : `"${column_name}"::text`;
    const rows = await pool.query<{ v: string | Buffer | null }>(`SELECT ${expr} AS v FROM "${table_name}"`);
    for (const { v } of rows.rows) {
      if (v === null) continue;
      const bytes = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
      const found = buffers.findIndex((b) => bytes.includes(b));
      if (found >= 0) hits.push(`${table_name}.${column_name}`);
    }
  }
  return [...new Set(hits)];
}
