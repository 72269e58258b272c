import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['src/store/pgTestServer.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DuckDB uses both cores per query; running many files at once only thrashes.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2 } },
  },
});
