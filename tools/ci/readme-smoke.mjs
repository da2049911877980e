#!/usr/bin/env node
// The README's first commands, checked the way a new user runs them (CI runs this right after
// `npm install` in its fresh clone, before anything is built):
//   1. `npm start -- --port 0` builds, serves and answers /health;
//   2. SIGTERM to the npm process stops the server cleanly and releases the port;
//   3. `npx --no-install harness --version` prints the version.
// HOME is a temporary directory, so nothing touches ~/.local/share/harness. Exit 0 when all pass.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
// Long enough for a cold build of every project on a slow CI machine.
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 20_000;

const home = mkdtempSync(join(tmpdir(), 'harness-readme-smoke-'));
const env = { ...process.env, HOME: home, NO_COLOR: '1', NX_DAEMON: 'false' };
const { version } = JSON.parse(readFileSync(join(root, 'apps', 'cli', 'package.json'), 'utf8'));

function fail(message, output = '') {
  console.error(`readme smoke: FAILED: ${message}${output === '' ? '' : `\n--- output ---\n${output}`}`);
  rmSync(home, { recursive: true, force: true });
  process.exit(1);
}

async function waitFor(what, check, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function portIsFree(host, port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

// 1. npm start: its own process group, so a failed check can still end everything it started.
const npm = spawn('npm', ['start', '--', '--port', '0'], {
  cwd: root,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let output = '';
let exit;
npm.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
npm.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
npm.once('exit', (code, signal) => (exit = { code, signal }));
const killGroup = () => {
  try {
    process.kill(-npm.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};

const url = await waitFor(
  'the listening line',
  () => /listening on (http:\/\/[^\s"]+)/.exec(output)?.[1] ?? (exit === undefined ? undefined : null),
  START_TIMEOUT_MS,
);
if (typeof url !== 'string') {
  killGroup();
  fail(
    exit === undefined
      ? `npm start did not report a URL within ${START_TIMEOUT_MS / 1000} s`
      : `npm start exited (${JSON.stringify(exit)}) before listening`,
    output,
  );
}
const health = await fetch(`${url}/health`).catch((error) => ({ status: String(error) }));
if (health.status !== 200) {
  killGroup();
  fail(`GET ${url}/health answered ${health.status}`, output);
}
console.log(`readme smoke: npm start answers ${url}/health`);

// 2. SIGTERM to npm alone, as a process manager or `kill <pid>` sends it.
process.kill(npm.pid, 'SIGTERM');
await waitFor('the exit', () => exit, STOP_TIMEOUT_MS);
if (exit === undefined) {
  killGroup();
  fail(`npm start did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`, output);
}
// What still runs in npm start's process group. A zombie has ended: the sandbox's launcher
// (bubblewrap) leaves one to the system's init to reap, which it does within seconds.
const survivors = readdirSync('/proc').filter((entry) => {
  if (!/^\d+$/.test(entry)) return false;
  try {
    const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    const [state, , pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(pgid) === npm.pid && state !== 'Z';
  } catch {
    return false;
  }
});
if (survivors.length > 0) {
  killGroup();
  fail(`a process of npm start outlived it (the server was orphaned): PID ${survivors.join(', ')}`, output);
}
const { hostname, port } = new URL(url);
if (!(await portIsFree(hostname, Number(port)))) fail(`port ${port} is still taken after npm start stopped`, output);
if (!output.includes('received SIGTERM, shutting down\nstopped\n'))
  fail('the server did not shut down cleanly', output);
console.log(
  `readme smoke: SIGTERM to npm stopped the server cleanly (exit ${JSON.stringify(exit)}), port ${port} released`,
);

// 3. The harness command, linked by npm install.
const npx = spawnSync('npx', ['--no-install', 'harness', '--version'], {
  cwd: root,
  env,
  encoding: 'utf8',
  timeout: 60_000,
});
if (npx.status !== 0 || npx.stdout.trim() !== version)
  fail(
    `npx --no-install harness --version: exit ${npx.status}, printed "${npx.stdout.trim()}" (expected ${version})`,
    npx.stderr,
  );
console.log(`readme smoke: npx --no-install harness --version prints ${version}`);

rmSync(home, { recursive: true, force: true });
