'use strict';
// Bundled in place of `node:http` (see infra/bundling/function-bundle.ts):
// a CommonJS hand-over, so that the ESM facade of node:http is never built.
// getBuiltinModule rather than require(): esbuild would resolve a require of
// node:http back to this very file through the alias.
module.exports = process.getBuiltinModule('node:http');
