import { loadConfig, type Config } from '../lambda/config.js';
import { LoginEtl } from '../lambda/login-etl.js';
import type { Progress } from '../tools/lib/cli.js';
import type { BenchDatabase } from './bench-database.js';
import type { BenchOptions } from './options.js';

/** NODE_OPTIONS of the deployed function with the default context (-c sourceMaps=false). */
export const DEPLOYED_NODE_OPTIONS = '';

/** What every phase gets: the options, the bench database, the handler's environment. */
export interface BenchContext {
  options: BenchOptions;
  db: BenchDatabase;
  /** The handler's environment: keys, DATABASE_URL of the bench database, quiet Powertools. */
  env: NodeJS.ProcessEnv;
  /**
   * The environment of a handler process: the handler's, with NODE_OPTIONS as
   * the stack deploys the function by default (empty: no source maps, see
   * infra/constructs/vpc-node-function.ts), whatever the caller's shell has.
   */
  childEnv: NodeJS.ProcessEnv;
  config: Config;
  progress: Progress;
  /** A new, cold LoginEtl: its own pool, data key and caches, as a new Lambda sandbox has. */
  newEtl(): LoginEtl;
}

export function createContext(options: BenchOptions, db: BenchDatabase, env: NodeJS.ProcessEnv, progress: Progress): BenchContext {
  const handlerEnv: NodeJS.ProcessEnv = { ...env, DATABASE_URL: db.url };
  const config = loadConfig(handlerEnv);
  const childEnv: NodeJS.ProcessEnv = { ...handlerEnv, NODE_OPTIONS: DEPLOYED_NODE_OPTIONS };
  return { options, db, env: handlerEnv, childEnv, config, progress, newEtl: () => new LoginEtl(config) };
}

