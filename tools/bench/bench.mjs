#!/usr/bin/env node
// `npm run bench`: what Harness costs on top of the work it orchestrates, measured against the raw
// floor (the same git worktree + the same scripted agent + worktree removal, without Harness) in the
// same run, so a noisy shared machine shows up in both sides. Prints a table; docs/performance.md
// records one machine's numbers.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '@agent-harness/persistence';
import { FAKE_AGENT_BIN_DIR, createTempDir, createTempGitRepo, fakeAgentEnv, startHarnessServer } from '@agent-harness/testing';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const cliPath = join(root, 'apps', 'cli', 'dist', 'main.js');
const SCENARIO = { edits: [{ path: 'bench.txt', content: 'benchmark\n' }], text: 'done' };
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 10);
const DRAIN = Number(process.env.BENCH_DRAIN ?? 200);
const STORED = Number(process.env.BENCH_STORED ?? 100_000);
const CONCURRENCY = 4;

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const rows = [];
const row = (what, harness, floor, unit = 'ms') => {
  rows.push({ what, harness, floor, unit });
  console.error(`  ${what}: ${harness.toFixed(1)} ${unit}${floor === undefined ? '' : ` vs floor ${floor.toFixed(1)} ${unit}`}`);
};

// git's worktree bookkeeping is not safe under concurrent add/remove in one repository (seen here:
// "failed to read .git/worktrees/…/commondir"), so even the raw floor takes them one at a time;
// the agents themselves run in parallel.
let gitQueue = Promise.resolve();
const serialGit = (args, options) => {
  const next = gitQueue.then(() => run('git', args, options));
  gitQueue = next.catch(() => undefined);
  return next;
};

/** The raw floor of one task: worktree add, the scripted agent, worktree remove. */
async function floorTask(repo, dir, i) {
  const path = join(dir, `floor-${i}`);
  const env = { ...process.env, ...repo.gitEnv };
  await serialGit(['worktree', 'add', '--quiet', '--no-track', '-B', `floor/${i}`, path, 'origin/main'], { cwd: repo.path, env });
  await new Promise((resolve, reject) => {
    const child = spawn(join(FAKE_AGENT_BIN_DIR, 'claude'), ['-p', '--output-format', 'stream-json', '--verbose', '--', 'bench'], {
      cwd: path,
      env: { ...env, ...fakeAgentEnv(SCENARIO) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`agent exited ${code}`))));
  });
  await serialGit(['worktree', 'remove', '--force', path], { cwd: repo.path, env });
}

async function pool(count, width, work) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await work(next++);
  }));
}

async function startServer(home, repo, extra = '') {
  const config = join(home.path, 'harness.toml');
  writeFileSync(config, [
    '[server]', `data_dir = "${join(home.path, 'data')}"`,
    '[agents.claude]', `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
    '[concurrency]', `max_concurrent_tasks = ${CONCURRENCY}`, `max_queue_size = ${Math.max(DRAIN + 10, 32)}`,
    '[[projects]]', 'name = "bench"', `root = "${repo.path}"`, extra, '',
  ].join('\n'));
  return startHarnessServer({ cliPath, args: ['--config', config], home: home.path, env: { ...repo.gitEnv, ...fakeAgentEnv(SCENARIO) }, timeoutMs: 120_000 });
}

async function submit(url) {
  const res = await fetch(`${url}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project: 'bench', prompt: 'bench' }) });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return (await res.json()).task_id;
}

/** Waits for a task's end event on its stream and returns its final status. */
async function waitEnd(url, id) {
  const res = await fetch(`${url}/tasks/${id}/stream`);
  const text = await res.text();
  const match = /event: end\ndata: (.*)\n/.exec(text);
  return match === null ? 'unknown' : JSON.parse(match[1]).data.status;
}

async function sequentialOverhead() {
  console.error(`(a) one task at a time, ${SEQUENTIAL} tasks`);
  const repo = await createTempGitRepo({ withOrigin: true });
  const scratch = await createTempDir('bench-floor-');
  const home = await createTempDir('bench-home-');
  try {
    const floor = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const t = process.hrtime.bigint();
      await floorTask(repo, scratch.path, i);
      floor.push(ms(t));
    }
    const server = await startServer(home, repo);
    const harness = [];
    try {
      for (let i = 0; i < SEQUENTIAL; i++) {
        const t = process.hrtime.bigint();
        const id = await submit(server.url);
        const status = await waitEnd(server.url, id);
        if (status !== 'done') throw new Error(`task ${id} ended ${status}`);
        harness.push(ms(t));
      }
    } finally {
      await server.stop();
    }
    row('(a) one task, submit to done (median)', median(harness), median(floor));
  } finally {
    await Promise.all([repo.cleanup(), scratch.cleanup(), home.cleanup()]);
  }
}

async function drain() {
  console.error(`(b) draining ${DRAIN} queued tasks at concurrency ${CONCURRENCY}`);
  const repo = await createTempGitRepo({ withOrigin: true });
  const scratch = await createTempDir('bench-floor-');
  const home = await createTempDir('bench-home-');
  try {
    let t = process.hrtime.bigint();
    await pool(DRAIN, CONCURRENCY, (i) => floorTask(repo, scratch.path, i));
    const floor = ms(t);
    const server = await startServer(home, repo);
    try {
      t = process.hrtime.bigint();
      const ids = [];
      for (let i = 0; i < DRAIN; i++) ids.push(await submit(server.url));
      const admitted = ms(t);
      for (;;) {
        const d = await (await fetch(`${server.url}/api/dashboard`)).json();
        if (d.global.done + d.global.failed >= DRAIN) {
          if (d.global.failed > 0) {
            const failed = await (await fetch(`${server.url}/tasks?status=failed&limit=3`)).json();
            throw new Error(`${d.global.failed} tasks failed: ${failed.tasks.map((t) => t.error).join('; ')}`);
          }
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      row(`(b) drain ${DRAIN} tasks (total)`, ms(t), floor);
      row(`(b) admitting ${DRAIN} tasks (POST /tasks, total)`, admitted, undefined);
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all([repo.cleanup(), scratch.cleanup(), home.cleanup()]);
  }
}

async function queries() {
  console.error(`(c) API latency with ${STORED} tasks stored`);
  const repo = await createTempGitRepo({ withOrigin: true });
  const home = await createTempDir('bench-home-');
  try {
    mkdirSync(join(home.path, 'data'), { recursive: true });
    const db = await openDatabase({ file: join(home.path, 'data', 'harness.db') });
    const statuses = ['done', 'done', 'done', 'failed', 'cancelled'];
    await db.dataSource.transaction(async (m) => {
      for (let start = 0; start < STORED; start += 500) {
        const values = [];
        const params = [];
        for (let i = start; i < Math.min(STORED, start + 500); i++) {
          const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
          values.push('(?, ?, ?, ?, ?, 1, 0, 0, ?, ?, 1)');
          params.push(`seed-${String(i).padStart(8, '0')}`, 'bench', 'prompt', `seeded task ${i}`, statuses[i % statuses.length], at, at);
        }
        await m.query(`INSERT INTO tasks (id, project, kind, prompt, status, attempt, input_tokens, output_tokens, created_at, updated_at, version) VALUES ${values.join(',')}`, params);
      }
    });
    await db.close();
    const server = await startServer(home, repo);
    try {
      for (const [label, path] of [['GET /api/dashboard', '/api/dashboard'], ['GET /tasks (first page)', '/tasks'], ['GET /tasks?status=failed&offset=5000', '/tasks?status=failed&offset=5000']]) {
        const times = [];
        for (let i = 0; i < 40; i++) {
          const t = process.hrtime.bigint();
          const res = await fetch(`${server.url}${path}`);
          await res.text();
          if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
          times.push(ms(t));
        }
        row(`(c) ${label} p50`, median(times), undefined);
        row(`(c) ${label} p95`, pct(times, 0.95), undefined);
      }
      const t = process.hrtime.bigint();
      await (await fetch(`${server.url}/health`)).text();
      row('(c) GET /health (baseline, one call)', ms(t), undefined);
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all([repo.cleanup(), home.cleanup()]);
  }
}

async function coldStart() {
  console.error('(d) harness --version cold start');
  const time = async (args) => {
    const xs = [];
    for (let i = 0; i < 10; i++) {
      const t = process.hrtime.bigint();
      await run(process.execPath, args);
      xs.push(ms(t));
    }
    return median(xs);
  };
  row('(d) harness --version (median of 10)', await time([cliPath, '--version']), await time(['-e', '']));
}

await sequentialOverhead();
await drain();
await queries();
await coldStart();

console.log('\n| measurement | Harness | raw floor | ratio |');
console.log('|---|---:|---:|---:|');
for (const r of rows) {
  const ratio = r.floor === undefined ? '' : `${(r.harness / r.floor).toFixed(2)}×`;
  console.log(`| ${r.what} | ${r.harness.toFixed(1)} ${r.unit} | ${r.floor === undefined ? '' : `${r.floor.toFixed(1)} ${r.unit}`} | ${ratio} |`);
}
console.log(`\n(floor of (d) is a bare \`node -e ""\`; node ${process.version}, ${(await import('node:os')).cpus().length} cores)`);
