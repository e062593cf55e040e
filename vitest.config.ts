import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// One graphql for everyone: vitest would hand our ESM sources graphql's .mjs build while yoga and
// Pothos load its CommonJS build, and two copies break `instanceof GraphQLError` and schema printing.
const graphqlMain = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlMain }] },
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
