import { loadConfig, type Config } from '../lambda/config.js';
import { LoginEtl } from '../lambda/login-etl.js';
import type { Progress } from '../tools/lib/cli.js';
import { withDatabase } from '../tools/lib/local-database.js';
import type { BenchDatabase } from './bench-database.js';
import type { BenchOptions } from './options.js';

/** What every phase gets: the options, the bench database, the handler's environment. */
export interface BenchContext {
  options: BenchOptions;
  db: BenchDatabase;
  /** The handler's environment: keys, DATABASE_URL of the bench database, quiet Powertools. */
  env: NodeJS.ProcessEnv;
  config: Config;
  progress: Progress;
  /** A new, cold LoginEtl: its own pool, data key and caches, as a new Lambda sandbox has. */
  newEtl(): LoginEtl;
}

export function createContext(options: BenchOptions, db: BenchDatabase, env: NodeJS.ProcessEnv, progress: Progress): BenchContext {
  // env's DATABASE_URL is the pipeline's login (prepareLocalEnvironment); the handler uses it on the bench database.
  const handlerEnv: NodeJS.ProcessEnv = { ...env, DATABASE_URL: withDatabase(env.DATABASE_URL as string, db.name) };
  const config = loadConfig(handlerEnv);
  return { options, db, env: handlerEnv, config, progress, newEtl: () => new LoginEtl(config) };
}

/** The same context with every connection a phase opens (the handler's, the floor's) rerouted by `reroute`, e.g. through the network hop. */
export function reroutedContext(ctx: BenchContext, reroute: (url: string) => string): BenchContext {
  const env: NodeJS.ProcessEnv = { ...ctx.env, DATABASE_URL: reroute(ctx.env.DATABASE_URL as string) };
  const config = loadConfig(env);
  return { ...ctx, db: ctx.db.through(reroute(ctx.db.url)), env, config, newEtl: () => new LoginEtl(config) };
}

