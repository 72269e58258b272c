#!/usr/bin/env node
// Entry point. Runs the compiled CLI in dist/ (built by `npm install` and `npm start`; see
// tsconfig.build.json): a command starts in a fraction of a second instead of transpiling the
// TypeScript at every run. UPTAKE_FROM_SOURCE=1 (or a checkout not built yet) runs the sources
// through tsx instead, for development.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let main;
if (process.env.UPTAKE_FROM_SOURCE !== '1' && existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
const code = await main(process.argv);
process.exitCode = code;
// The command is done: exit as soon as output has drained, even if an engine's background thread
// (e.g. a DuckDB query that a failed server start left running) would keep the process alive.
setTimeout(() => process.exit(code), 1500).unref();
