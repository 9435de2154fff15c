import path from 'node:path';
import { repoRoot } from '../paths.js';

/**
 * The esbuild settings of every Lambda bundle, in one place: the CDK
 * construct (infra/constructs/vpc-node-function.ts) passes them to
 * NodejsFunction and the benchmark (bench/bundle.ts) builds with them, so the
 * bundle measured is the bundle deployed.
 */

/** The Lambda runtime's Node.js major (lambda.Runtime.NODEJS_24_X). */
export const BUNDLE_TARGET = 'node24';

/**
 * Lets the ESM bundle load CommonJS dependencies (pg) that call `require`
 * for Node built-ins. Aliased so it cannot collide with a bundled import.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __loginEtlCreateRequire } from 'node:module'; const require = __loginEtlCreateRequire(import.meta.url);";

/** Prefer packages' ESM builds: esbuild tree-shakes them, not CommonJS. */
export const MAIN_FIELDS = ['module', 'main'];

/** pg requires its optional native binding only when asked for pg.native. */
export const EXTERNAL_MODULES = ['pg-native'];

/**
 * `import … from 'node:http'` (the AWS SDK's HTTP handler and metadata
 * client, the Powertools tracer) becomes a CommonJS hand-over of the same
 * module. On Node.js 22 and later an ESM import of node:http builds the
 * module's ESM facade, which reads every export, including the lazy
 * `WebSocket` getter that loads undici: a cost in every cold start on the
 * Node 24 runtime (docs/performance.md), for a client the function never
 * uses (nodejs/node#57649, open).
 * esbuild cannot express "import as CommonJS", hence the one-line shim.
 */
const HTTP_SHIM = path.join(repoRoot, 'infra', 'bundling', 'node-http.cjs');
export const ALIASES: Readonly<Record<string, string>> = { 'node:http': HTTP_SHIM, http: HTTP_SHIM };

/**
 * pg asks at load whether it runs in Cloudflare Workers: by
 * `navigator.userAgent` where a global navigator exists (Node.js 21 and
 * later, so on the Lambda runtime), else by constructing a fetch `Response`,
 * which on Node.js 20 (local tools, the benchmark here) loads undici.
 * The bundle only ever runs on Node.js, so the navigator it reads is fixed at
 * build time to what Node.js reports. pg is the bundle's only reader of
 * `navigator` (test/infra checks the built bundle holds no other).
 */
export const DEFINES: Readonly<Record<string, string>> = { navigator: JSON.stringify({ userAgent: 'Node.js' }) };

/**
 * Whether the functions run with `--enable-source-maps` unless the context
 * says otherwise (`-c sourceMaps`): off, because node parses the whole map
 * at every cold start (docs/performance.md) and the function never logs a
 * stack.
 */
export const SOURCE_MAPS_DEFAULT = false;

/** NODE_OPTIONS of a function run with or without source maps. */
export function nodeOptions(sourceMaps: boolean): string {
  return sourceMaps ? '--enable-source-maps' : '';
}
