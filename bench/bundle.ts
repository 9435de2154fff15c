import { statSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import {
  ALIASES,
  BUNDLE_TARGET,
  DEFINES,
  ESM_REQUIRE_BANNER,
  EXTERNAL_MODULES,
  MAIN_FIELDS,
} from '../infra/bundling/function-bundle.js';
import { repoRoot } from '../tools/lib/paths.js';

/**
 * The production bundle, built with the settings of the CDK function
 * (infra/bundling/function-bundle.ts, which NodejsFunction is given): entry
 * lambda/handler.ts, platform node, ESM, minified, linked source map without
 * sources, the AWS SDK bundled (bundleAwsSDK: true). test/infra checks the
 * synthesized asset against 1 MiB too.
 */

export interface BundleResult {
  file: string;
  bytes: number;
  mapBytes: number;
  buildMs: number;
  /** Largest packages in the bundle, by output bytes. */
  largest: { name: string; bytes: number }[];
}

function packageOf(input: string): string {
  const parts = input.split('node_modules/');
  if (parts.length < 2) return input.startsWith('lambda/') ? 'lambda/ (our code)' : input;
  const rest = (parts[parts.length - 1] as string).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] as string);
}

function largestPackages(metafile: Metafile, outfile: string): { name: string; bytes: number }[] {
  const output = Object.entries(metafile.outputs).find(([file]) => path.resolve(repoRoot, file) === outfile)?.[1];
  const sizes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
  }
  return [...sizes].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 8);
}

export async function buildHandlerBundle(outDir: string): Promise<BundleResult> {
  const outfile = path.join(outDir, 'index.mjs');
  const started = performance.now();
  const result = await build({
    entryPoints: [path.join(repoRoot, 'lambda', 'handler.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    define: { ...DEFINES },
    alias: { ...ALIASES },
    external: EXTERNAL_MODULES,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: repoRoot,
  });
  return {
    file: outfile,
    bytes: statSync(outfile).size,
    mapBytes: statSync(`${outfile}.map`).size,
    buildMs: performance.now() - started,
    largest: largestPackages(result.metafile, outfile),
  };
}

/** The child-process runner (bench/child/runner.ts) as plain ESM, so children start without tsx. */
export async function buildRunner(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'runner.mjs');
  await build({
    entryPoints: [path.join(repoRoot, 'bench', 'child', 'runner.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'esm',
    logLevel: 'silent',
    absWorkingDir: repoRoot,
  });
  return outfile;
}
