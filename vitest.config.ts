import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // Forks, not threads: tests spawn and kill servers and must not share a process's exit hooks.
    pool: 'forks',
    // Two cores, and every integration file runs its own nats-server beside the shared MongoDB.
    maxWorkers: 2,
  },
});
