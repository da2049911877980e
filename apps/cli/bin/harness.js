#!/usr/bin/env node
// The `harness` command. Committed (with its execute bit) so npm links it at install time, before
// anything is built; it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    `harness: the CLI is not built yet (${fileURLToPath(main)} is missing); run \`npm run build\` first\n`,
  );
  process.exit(1);
}
await import(main.href);
