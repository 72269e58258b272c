#!/usr/bin/env node
// Entry point: run the TypeScript CLI through tsx so that a checkout needs no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
