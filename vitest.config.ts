import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Integration suites share one machine's lab hosts and Redis: files run one after another.
    fileParallelism: false,
    pool: 'forks',
  },
});
