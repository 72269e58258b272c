import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['src/testing/buildCli.ts', 'src/testing/pgTestServer.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DuckDB uses both cores per query; running many files at once only thrashes.
    pool: 'forks',
    maxWorkers: 2,
    // Vitest 4, not 3: Vitest 3's worker RPC gave up after a fixed 60 s when a loaded machine
    // delayed a report ("Timeout calling onTaskUpdate", vitest-dev/vitest#6479), failing a run
    // whose every test had passed; the fix (vitest-dev/vitest#8297) shipped in 4.0.
  },
});
