import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests import the workspace packages from source (the "@agent-harness/source" export condition),
// so a change in a lib is seen by its dependents' tests without a rebuild. End-to-end tests that
// start the CLI as a child process use the built output instead.
const conditions = ['@agent-harness/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['{apps,libs,tools}/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/out-tsc/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each spec owns its temp dirs and databases, so files run in parallel.
    fileParallelism: true,
  },
});
