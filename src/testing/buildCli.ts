/**
 * Vitest global setup: compile `src/` into `dist/` (incrementally; a no-op build takes a few
 * seconds) before any test spawns `bin/uptake.js`, so that the CLI under test is the code under
 * test and not an older build.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  execFileSync(
    process.execPath,
    [
      fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)),
      '-p',
      'tsconfig.build.json',
    ],
    { cwd: root, stdio: 'inherit' },
  );
}
