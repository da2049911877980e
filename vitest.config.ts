import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests import the workspace packages from source (the "@agent-harness/source" export condition),
// so a change in a lib is seen by its dependents' tests without a rebuild. End-to-end tests that
// start the CLI as a child process use the built output instead.
// Without the bundler-only `module` condition, which Vitest also hands to Node: packages resolve as
// in production (the `module` builds of @opentelemetry/* import without file extensions).
const conditions = ['@agent-harness/source', ...defaultServerConditions.filter((c) => c !== 'module')];

// The unit tier (`npm test -- --tier unit` sets HARNESS_TEST_TIER=unit): only `*.unit.spec.ts`,
// specs that start no process and touch no database or git. See docs/testing.md.
const isUnitTier = process.env.HARNESS_TEST_TIER === 'unit';

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: [isUnitTier ? '{apps,libs,tools}/**/*.unit.spec.ts' : '{apps,libs,tools}/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/out-tsc/**'],
    environment: 'node',
    // Unit specs start no process: threads start faster than forks.
    pool: isUnitTier ? 'threads' : 'forks',
    // A unit spec that waits on an event which never comes fails in seconds, not a minute.
    testTimeout: isUnitTier ? 10_000 : 60_000,
    hookTimeout: 60_000,
    // Each spec owns its temp dirs and databases, so files run in parallel.
    fileParallelism: true,
  },
});
