#!/usr/bin/env node
// The test command of the README (`npm test`): builds what the end-to-end tests start, installs the
// real agent CLIs the contract tests drive (cached outside the workspace), runs every Vitest spec
// once, and ends with the plain line CI reads: "N passed, N failed[, N skipped]".
// HARNESS_SKIP_REAL_CLIS=1 skips the real-CLI contract tests (they are then reported as skipped).
// `--tier unit` runs only the unit tier (`*.unit.spec.ts`: no process, database or git) in seconds,
// without the build or the CLI install; `--tier all` (the default) runs everything. See docs/testing.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const resultsFile = join(root, '.vitest-results.json');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const TIERS = ['all', 'unit'];

/** `--tier <name>` or `--tier=<name>`, taken out of the arguments handed to Vitest. */
function takeTier(args) {
  const rest = [];
  let tier = 'all';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--tier' || arg.startsWith('--tier=')) {
      tier = arg === '--tier' ? args[++i] : arg.slice('--tier='.length);
      if (!TIERS.includes(tier)) {
        console.error(`npm test: unknown test tier ${JSON.stringify(tier ?? '')}: use --tier unit or --tier all`);
        process.exit(2);
      }
    } else {
      rest.push(arg);
    }
  }
  return { tier, rest };
}

const { tier, rest: vitestArgs } = takeTier(process.argv.slice(2));
// vitest.config.ts reads the tier: `unit` includes only *.unit.spec.ts.
const env = { ...process.env, NX_DAEMON: 'false', HARNESS_TEST_TIER: tier };

if (tier === 'unit') {
  console.log('unit tier: *.unit.spec.ts only (no build, no real agent CLIs)');
} else {
  prepareAllTiers();
}

/**
 * The end-to-end tests start the built CLI; the browser and database tests need Chromium and
 * PostgreSQL; the contract tests drive the real agent CLIs.
 */
function prepareAllTiers() {
  const build = spawnSync(bin('nx'), ['run-many', '-t', 'build', '--output-style=static'], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  if (build.status !== 0) {
    console.log('build failed before any test ran');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  // Chromium for the browser tests, a running PostgreSQL for the database tests.
  spawnSync('bash', [join(root, 'tools', 'test', 'test-services.sh')], { cwd: root, stdio: 'inherit', env });
  if (process.env.HARNESS_SKIP_REAL_CLIS === '1') {
    console.log('\n*** HARNESS_SKIP_REAL_CLIS=1: the real Claude Code / Codex contract tests are skipped ***\n');
    return;
  }
  const install = spawnSync('bash', [join(root, 'tools', 'agent-clis', 'install.sh')], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  if (install.status !== 0) {
    console.log('\n*** THE REAL AGENT CLIS COULD NOT BE INSTALLED: their contract tests will fail below ***\n');
  }
  // Missing CLIs must fail the contract tests, never skip them quietly.
  env.HARNESS_REQUIRE_REAL_CLIS = '1';
}

rmSync(resultsFile, { force: true });
const vitest = spawnSync(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...vitestArgs],
  { cwd: root, stdio: 'inherit', env },
);

if (!existsSync(resultsFile)) {
  console.log('vitest produced no results');
  console.log('0 passed, 1 failed');
  process.exit(vitest.status === 0 ? 1 : (vitest.status ?? 1));
}
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
const passed = results.numPassedTests;
// A spec file that fails to load has no tests of its own but must still count as a failure.
const brokenFiles = results.testResults.filter(
  (file) => file.status === 'failed' && file.assertionResults.length === 0,
).length;
const failed = results.numFailedTests + brokenFiles;
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || vitest.status !== 0 ? 1 : 0);
