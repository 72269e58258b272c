#!/usr/bin/env node
// Entry point: run the TypeScript CLI through tsx so that a checkout needs no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
process.exitCode = code;
// The command is done: exit as soon as output has drained, even if an engine's background thread
// (e.g. a DuckDB query that a failed server start left running) would keep the process alive.
setTimeout(() => process.exit(code), 1500).unref();
