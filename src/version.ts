import { readFileSync } from 'node:fs';

/** Uptake's version, from package.json, stated in every report. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
