import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/**
 * Database-side fault injectors for the chaos run. They act on the test's own
 * database only (its name is passed in), so other test files sharing the
 * server are untouched. None of them needs superuser beyond what the test
 * server gives the tests already (the embedded server's postgres user).
 * The triggers read the chaos tables with their owner's rights: the pipeline
 * runs as login_etl_pipeline, which may read nothing of them.
 */

/**
 * Installs, in the test database:
 * - chaos_switch(fail_commit): while true, a DEFERRABLE INITIALLY DEFERRED
 *   constraint trigger on user_logins raises serialization_failure (40001)
 *   at COMMIT: the statement ran, the commit fails, nothing is kept;
 * - chaos_poison(message_id): rows for these ids are refused with
 *   check_violation (23514) in user_logins AND in user_logins_quarantine, so
 *   the pipeline can neither write nor quarantine them: each attempt fails and
 *   the message ends in the DLQ after maxReceiveCount receives.
 */
export async function installChaosHooks(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE chaos_switch (id int PRIMARY KEY CHECK (id = 1), fail_commit boolean NOT NULL);
    INSERT INTO chaos_switch VALUES (1, false);
    CREATE TABLE chaos_poison (message_id varchar(128) PRIMARY KEY);

    CREATE FUNCTION chaos_fail_commit() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      IF (SELECT fail_commit FROM chaos_switch WHERE id = 1) THEN
        RAISE EXCEPTION 'chaos: commit refused' USING ERRCODE = '40001';
      END IF;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER chaos_fail_commit AFTER INSERT ON user_logins
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION chaos_fail_commit();

    CREATE FUNCTION chaos_poison() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM chaos_poison p WHERE p.message_id = NEW.message_id) THEN
        RAISE EXCEPTION 'chaos: row refused' USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER chaos_poison BEFORE INSERT ON user_logins FOR EACH ROW EXECUTE FUNCTION chaos_poison();
    CREATE TRIGGER chaos_poison BEFORE INSERT ON user_logins_quarantine FOR EACH ROW EXECUTE FUNCTION chaos_poison();
  `);
}

export async function addPoison(pool: pg.Pool, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await pool.query('INSERT INTO chaos_poison (message_id) SELECT unnest($1::varchar[])', [messageIds]);
}

export async function setFailCommit(pool: pg.Pool, on: boolean): Promise<void> {
  await pool.query('UPDATE chaos_switch SET fail_commit = $1 WHERE id = 1', [on]);
}

/**
 * `url` with server settings for the sessions opened through it (libpq's
 * `options`), e.g. { idle_session_timeout: '1s' } (PostgreSQL 14+): the
 * server then closes such a session once it sits idle that long, as RDS
 * Proxy or a server setting does to a Lambda sandbox frozen between
 * invocations. Only the sessions of whoever uses this URL are affected; the
 * test's own and other test files' sessions are not.
 */
export function withSessionSettings(url: string, settings: Record<string, string>): string {
  const u = new URL(url);
  u.searchParams.set('options', Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' '));
  return u.toString();
}

/** pg_terminate_backend on the function's connections (application_name login-etl); returns how many. */
export async function terminateFunctionBackends(pool: pg.Pool, database: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
     WHERE datname = $1 AND application_name = 'login-etl' AND pid <> pg_backend_pid()`,
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}

/** The function's open connections to the database right now. */
export async function functionConnections(pool: pg.Pool, database: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'login-etl'`,
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Holds ACCESS EXCLUSIVE on user_logins for `ms` in a session of its own:
 * every write of the function waits and is cancelled by its
 * statement_timeout (57014) when `ms` is longer than DB_STATEMENT_TIMEOUT_MS.
 */
export async function holdTableLock(databaseUrl: string, ms: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'chaos-lock' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('LOCK TABLE user_logins IN ACCESS EXCLUSIVE MODE');
    await sleep(ms);
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => undefined);
  }
}
