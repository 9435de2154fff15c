import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so `cdk` and tests may run from anywhere. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of a Lambda entry file under lambda/. */
export function lambdaEntry(file: string): string {
  return path.join(repoRoot, 'lambda', file);
}
