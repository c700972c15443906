import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build for the plugins in node_modules; the tests
    // must load the same copy, or GraphQL rejects types "from another module or realm".
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/fail-on-console-error.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Enough for in-process tests on a busy machine. Tests that spawn processes, migrate a fresh
    // database or sweep the schema set `heavyTestTimeout` (test/support/timeouts.ts); see
    // docs/decisions/0010-tests-on-a-loaded-machine.md.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
