import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Forks, not threads: better-sqlite3 and child processes behave as they will in production.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
