/**
 * One synthesis of the real app (same cdk.json feature flags, same cdk-nag
 * registration as `cdk synth`) into a temporary directory, shared by the
 * tests of a file: bundling both functions takes seconds, so each test file
 * synthesizes once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { createLoginEtlApp, type LoginEtlApp } from '../../infra/login-etl-app.js';
import { repoRoot } from '../../infra/paths.js';

/** The parts of `validation-report.json` the tests read. */
interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations?: { ruleName: string; severity: string; violatingConstructs?: { constructPath: string }[] }[];
  }[];
}

export interface Synthesized extends LoginEtlApp {
  readonly template: Template;
  readonly assembly: CloudAssembly;
  readonly report: ValidationReport;
  /** Where the asset behind a function's `Code.S3Key` was staged. */
  assetDirOf(functionLogicalId: string): string;
}

type ContextValue = string | number | boolean;

export function synthesize(context: Record<string, ContextValue> = {}): Synthesized {
  const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  // Never the repo's cdk.out: a test run must leave the tree as it found it.
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'login-etl-cdk-'));
  after(() => rmSync(outdir, { recursive: true, force: true }));

  const built = createLoginEtlApp({ outdir, context: { ...cdkJson.context, ...context } });
  // Throws if cdk-nag reports an unacknowledged error, as `cdk synth` fails.
  const assembly = built.app.synth();
  const template = Template.fromStack(built.stack); // reuses the synthesis above
  const report = JSON.parse(
    readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;

  return {
    ...built,
    template,
    assembly,
    report,
    assetDirOf(functionLogicalId) {
      const fn = template.toJSON().Resources[functionLogicalId] as
        { Properties: { Code: { S3Key: string } } } | undefined;
      if (!fn) throw new Error(`no resource ${functionLogicalId}`);
      const hash = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
      return path.join(assembly.directory, `asset.${hash}`);
    },
  };
}

/** The logical id CloudFormation sees for an L2 construct's main resource. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).resolve(resource.logicalId) as string;
}
