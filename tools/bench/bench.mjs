#!/usr/bin/env node
// `npm run bench`: what Harness costs on top of the work it orchestrates, measured against the raw
// floor (the same git worktree, the same scripted agent, the same commit and push, worktree removal: no Harness) in the
// same run, so a noisy shared machine shows up in both sides. Every row has a p50 and a p99; any
// failed run ends the benchmark with a non-zero exit. docs/performance.md records one machine's numbers.
import { Buffer } from 'node:buffer';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { promisify } from 'node:util';
import { openDatabase, TypeOrmTaskRepository } from '@agent-harness/persistence';
import { ClaudeCodeAgentRunner, ConfiguredSandbox } from '@agent-harness/agents';
import { resolveConfig } from '@agent-harness/core';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  createTempPostgresDatabase,
  fakeAgentEnv,
  fakeAgentToml,
  taskFixture,
  startHarnessServer,
} from '@agent-harness/testing';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const cliPath = join(root, 'apps', 'cli', 'dist', 'main.js');
const SCENARIO = { edits: [{ path: 'bench.txt', content: 'benchmark\n' }], text: 'done' };
/** An agent that holds its slot (a sleeping shell command) so the API rows measure the API alone. */
const HOLDING_SCENARIO = { commands: ['sleep 600'], text: 'done' };
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 10);
const DRAIN = Number(process.env.BENCH_DRAIN ?? 200);
const STORED = Number(process.env.BENCH_STORED ?? 100_000);
const ADMIT = Number(process.env.BENCH_ADMIT ?? 4000);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const FLEET_TASKS = Number(process.env.BENCH_FLEET_TASKS ?? 60);
/**
 * Fleet drains model agent-bound work, as real agents are (minutes each, a core apiece): each run
 * is slowed (a 300 ms pause between its events). With instant scripted agents, servers sharing this machine's 2 cores only compete.
 */
const FLEET_SCENARIO = { ...SCENARIO, delayMs: 300 };
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 300);
const SANDBOX_RUNS = Number(process.env.BENCH_SANDBOX_RUNS ?? 30);
const CANCELS = Number(process.env.BENCH_CANCELS ?? 5);
/** Runs of each command in the cold-start rows (d). */
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 15);
/** (d): each command's p50 at most this many times a bare `node -e ""` of the same run. */
const CLI_TARGET = 3;
/** Which parts to run: letters of a, b, c, d, e, f, g, h, s (default all). */
const BURST = Number(process.env.BENCH_BURST ?? 20_000);
const BURST_SECONDS = Number(process.env.BENCH_BURST_SECONDS ?? 10);
/** (i): the server's RSS must come back within this much of where it was before the burst. */
const RSS_BACK_MIB = 20;
const DEEP = Number(process.env.BENCH_DEEP ?? 10_000);
const GROWTH = Number(process.env.BENCH_GROWTH ?? 2000);
const GROWTH_WINDOW = 200;
/** A real repository to measure tasks on (a path or URL git can clone), e.g. a prettier mirror. */
const BENCH_REPO = process.env.BENCH_REPO;
const REAL_TASKS = Number(process.env.BENCH_REAL_TASKS ?? 8);
const ONLY = process.env.BENCH_ONLY ?? 'abcdefghsiqlr';
const CONCURRENCY = 4;

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(xs.length * p) - 1))];
/** p50 and p99 of a sample (with 10 values the p99 is the largest). */
const sample = (xs, extra, unit = 'ms') => ({ p50: pct(xs, 0.5), p99: pct(xs, 0.99), extra, unit });
const rows = [];
const fmt = (v, unit = 'ms') => (v === undefined ? '' : `${v.toFixed(1)} ${unit}`);
/** A row: Harness's sample and, when there is one, the floor's or the baseline's from the same run. */
const row = (what, harness, floor, ratio = floor === undefined ? '' : `${(harness.p50 / floor.p50).toFixed(2)}×`) => {
  rows.push({ what, harness, floor, ratio });
  const vs =
    floor === undefined
      ? ''
      : ` | floor p50 ${fmt(floor.p50)} p99 ${fmt(floor.p99)}${floor.extra === undefined ? '' : ` ${floor.extra}`}`;
  console.error(
    `  ${what}: p50 ${fmt(harness.p50, harness.unit)} p99 ${fmt(harness.p99, harness.unit)}${harness.extra === undefined ? '' : ` ${harness.extra}`}${vs}${ratio === '' ? '' : ` (${ratio})`}`,
  );
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

/** The raw floor of one task: worktree add, the scripted agent, commit, push, worktree remove. */
async function floorTask(repo, dir, i, base = 'origin/main', setup = undefined) {
  const path = join(dir, `floor-${i}`);
  const env = { ...process.env, ...repo.gitEnv };
  await serialGit(['worktree', 'add', '--quiet', '--no-track', '-B', `floor/${i}`, path, base], {
    cwd: repo.path,
    env,
  });
  if (setup !== undefined) await run('bash', ['-c', setup], { cwd: path, env, maxBuffer: 64 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    const child = spawn(
      join(FAKE_AGENT_BIN_DIR, 'claude'),
      ['-p', '--output-format', 'stream-json', '--verbose', '--', 'bench'],
      {
        cwd: path,
        // The environment Harness gives an agent (an allow-list), not this shell's: a variable such
        // as NODE_EXTRA_CA_CERTS costs Node tens of milliseconds at every start.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...fakeAgentEnv(SCENARIO) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`agent exited ${code}`))));
  });
  // The agent's change committed and pushed, as Harness must: the floor is the same work, done bare.
  await run('git', ['add', '--all'], { cwd: path, env });
  await run('git', ['commit', '--quiet', '--no-verify', '-m', `bench ${i}`], { cwd: path, env });
  await serialGit(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/floor/${i}`], { cwd: path, env });
  await serialGit(['worktree', 'remove', '--force', path], { cwd: repo.path, env });
}

async function pool(count, width, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

async function startServer(
  home,
  repo,
  { scenario = SCENARIO, maxQueue = Math.max(DRAIN + 10, 32), extraToml = [] } = {},
) {
  const config = join(home.path, 'harness.toml');
  writeFileSync(
    config,
    [
      '[server]',
      `data_dir = "${join(home.path, 'data')}"`,
      '[agents.claude]',
      `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
      // Agents get only their config's environment, not the server's.
      fakeAgentToml('claude', scenario),
      '[concurrency]',
      `max_concurrent_tasks = ${CONCURRENCY}`,
      `max_queue_size = ${maxQueue}`,
      '[[projects]]',
      'name = "bench"',
      `root = "${repo.path}"`,
      ...extraToml,
      '',
    ].join('\n'),
  );
  return startHarnessServer({
    cliPath,
    args: ['--config', config],
    home: home.path,
    env: { ...repo.gitEnv },
    timeoutMs: 120_000,
    // BENCH_PROFILE=<dir>: each server writes a CPU profile there when it stops.
    nodeArgs:
      process.env.BENCH_PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`],
  });
}

const SUBMIT_BODY = JSON.stringify({ project: 'bench', prompt: 'bench' });

async function submit(url) {
  const res = await fetch(`${url}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: SUBMIT_BODY,
  });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return (await res.json()).task_id;
}

async function getJson(url) {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Waits for a task's end event on its stream and returns its final status. */
async function waitEnd(url, id) {
  const res = await fetch(`${url}/tasks/${id}/stream`);
  const text = await res.text();
  const match = /event: end\ndata: (.*)\n/.exec(text);
  return match === null ? 'unknown' : JSON.parse(match[1]).data.status;
}

/**
 * `count` requests, `concurrency` at a time over keep-alive connections; every answer must have
 * status `expect`, or the benchmark fails. Returns each request's latency and the rate.
 */
async function load(url, { method = 'GET', path, body, expect = 200, concurrency, count }) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  const headers =
    body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  const once = () =>
    new Promise((resolve, reject) => {
      const req = request({ agent, hostname, port, method, path, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === expect
            ? resolve()
            : reject(
                new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`),
              ),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const times = [];
  const start = process.hrtime.bigint();
  try {
    await pool(count, concurrency, async () => {
      const t = process.hrtime.bigint();
      await once();
      times.push(ms(t));
    });
  } finally {
    agent.destroy();
  }
  const perSecond = count / (ms(start) / 1000);
  return sample(times, `${Math.round(perSecond)} req/s`);
}

/** Whether wrk (Debian's `wrk`) is on PATH: (c)'s reads are then measured with it. */
const HAS_WRK = await run('wrk', ['--version']).then(
  () => true,
  (error) => typeof error.stdout === 'string' && error.stdout.startsWith('wrk '),
);
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 5);

/**
 * GETs of `path` for `WRK_SECONDS`, `concurrency` connections kept alive, by wrk: a load generator
 * in C, so on two cores the client's own event loop and garbage collector do not add to the tail
 * the server is measured by (the Node client above did, by 5–15 ms at p99). Every answer must be a
 * 2xx or 3xx, or the benchmark fails.
 */
async function wrkLoad(url, { path, concurrency }) {
  const { stdout } = await run('wrk', ['-t1', `-c${concurrency}`, `-d${WRK_SECONDS}s`, '--latency', `${url}${path}`]);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(stdout) ?? /Socket errors: (.*)/.exec(stdout);
  if (bad !== null) throw new Error(`wrk GET ${path}: ${bad[0]}`);
  const at = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(stdout);
    if (match === null) throw new Error(`wrk printed no ${p}% latency:\n${stdout}`);
    return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]];
  };
  const perSecond = /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1];
  return {
    p50: at(50),
    p99: at(99),
    extra: `${Math.round(Number(perSecond))} req/s (wrk, ${WRK_SECONDS} s)`,
    unit: 'ms',
  };
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
    row(`(a) one task, submit to done (${SEQUENTIAL} tasks)`, sample(harness), sample(floor));
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
    const floorTimes = [];
    await pool(DRAIN, CONCURRENCY, async (i) => {
      const each = process.hrtime.bigint();
      await floorTask(repo, scratch.path, i);
      floorTimes.push(ms(each));
    });
    const floor = ms(t);
    const server = await startServer(home, repo);
    try {
      t = process.hrtime.bigint();
      const admitTimes = [];
      for (let i = 0; i < DRAIN; i++) {
        const each = process.hrtime.bigint();
        await submit(server.url);
        admitTimes.push(ms(each));
      }
      const admitted = ms(t);
      for (;;) {
        const d = await getJson(`${server.url}/api/dashboard`);
        if (d.global.done + d.global.failed >= DRAIN) {
          if (d.global.failed > 0) {
            const failed = await getJson(`${server.url}/tasks?status=failed&limit=3`);
            throw new Error(`${d.global.failed} tasks failed: ${failed.tasks.map((t) => t.error).join('; ')}`);
          }
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const total = ms(t);
      // Each task's queue-to-done time, from its stored timestamps.
      const perTask = [];
      for (let offset = 0; offset < DRAIN; offset += 200) {
        const page = await getJson(`${server.url}/tasks?limit=200&offset=${offset}`);
        for (const task of page.tasks) perTask.push(Date.parse(task.finished_at) - Date.parse(task.created_at));
      }
      row(
        `(b) drain ${DRAIN} tasks at c=${CONCURRENCY} (per task; total)`,
        sample(perTask, `${(total / 1000).toFixed(1)} s total`),
        sample(floorTimes, `${(floor / 1000).toFixed(1)} s total`),
        `${(total / floor).toFixed(2)}× total`,
      );
      row(
        `(b) admitting ${DRAIN} tasks one by one (POST /tasks)`,
        sample(admitTimes, `${(admitted / 1000).toFixed(1)} s total`),
      );
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
          values.push('(?, ?, ?, ?, ?, 1, 0, 0, ?, ?, ?, ?, 1)');
          params.push(
            `seed-${String(i).padStart(8, '0')}`,
            'bench',
            'prompt',
            `seeded task ${i}`,
            statuses[i % statuses.length],
            i % 5 === 4 ? null : 60 + (i % 40),
            at,
            at,
            at,
          );
        }
        await m.query(
          `INSERT INTO tasks (id, project, kind, prompt, status, attempt, input_tokens, output_tokens, score, created_at, updated_at, finished_at, version) VALUES ${values.join(',')}`,
          params,
        );
      }
    });
    await db.close();
    // Agents that hold their slots: every slot is taken, as on a busy server, and no task work competes.
    const server = await startServer(home, repo, { scenario: HOLDING_SCENARIO, maxQueue: ADMIT + 100 });
    try {
      for (let i = 0; i < CONCURRENCY; i++) await submit(server.url);
      const deadline = Date.now() + 60_000;
      while ((await getJson(`${server.url}/api/dashboard`)).global.running < CONCURRENCY) {
        if (Date.now() > deadline) throw new Error(`the ${CONCURRENCY} holding tasks did not start within 60 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const measure = async (path, concurrency, count, options = {}) => {
        await load(server.url, { path, concurrency, count: Math.min(count, 50), ...options });
        if (HAS_WRK && options.method === undefined) return wrkLoad(server.url, { path, concurrency });
        return load(server.url, { path, concurrency, count, ...options });
      };
      const health = await measure('/health', 10, 5000);
      row('(c) GET /health at c=10 (baseline)', health);
      row('(c) GET /api/dashboard at c=1', await measure('/api/dashboard', 1, 200));
      row('(c) GET /api/dashboard at c=10', await measure('/api/dashboard', 10, 400));
      row('(c) GET /tasks (first page) at c=10', await measure('/tasks', 10, 400));
      row(
        '(c) GET /tasks?status=failed&offset=5000 at c=10',
        await measure('/tasks?status=failed&offset=5000', 10, 400),
      );
      const cursor = (await getJson(`${server.url}/tasks?status=failed&offset=4950`)).next_cursor;
      if (typeof cursor === 'string') {
        row(
          '(c) GET /tasks?status=failed&cursor=… (same page) at c=10',
          await measure(`/tasks?status=failed&cursor=${encodeURIComponent(cursor)}`, 10, 400),
        );
      }
      const admit = await measure('/tasks', 10, ADMIT, { method: 'POST', body: SUBMIT_BODY, expect: 202 });
      const rate = (s) => Number(s.extra.split(' ')[0]);
      // Against /health from the same (Node) client: wrk's rate is not the same client's.
      const healthByNode = HAS_WRK ? await load(server.url, { path: '/health', concurrency: 10, count: 5000 }) : health;
      row(
        `(c) POST /tasks at c=10 (${ADMIT} admitted)`,
        admit,
        healthByNode,
        `${(rate(admit) / rate(healthByNode)).toFixed(2)}× /health rate`,
      );
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all([repo.cleanup(), home.cleanup()]);
  }
}

/** Resident memory of a process (MiB), from /proc. */
function rssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  if (line === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line.split(/\s+/)[1]) / 1024;
}

/**
 * A live subscriber of a task's stream: records, for each event stored once every subscriber was
 * connected (`live.since`), how long the event took from being stored (its `at`) to arriving here.
 */
function subscribe(url, id, latencies, live) {
  return readStream(
    url,
    id,
    (frame, now) => {
      // The stored time, without parsing the whole event: the client must stay cheaper than the server.
      const atIndex = frame.indexOf('"at":"');
      if (atIndex === -1) return;
      // Each event's time is read once, not once per subscriber.
      const stamp = frame.slice(atIndex + 6, atIndex + 30);
      let at = live.parsed.get(stamp);
      if (at === undefined) live.parsed.set(stamp, (at = Date.parse(stamp)));
      if (at >= live.since) latencies.push(now - at);
    },
    () => {
      live.connected += 1;
    },
  );
}

async function subscribers() {
  console.error(`(e) ${SUBSCRIBERS} SSE subscribers on one busy task; the server's idle memory`);
  const repo = await createTempGitRepo({ withOrigin: true });
  const home = await createTempDir('bench-home-');
  // A busy task: 100 edits, one output line every 20 ms (about 500 stored events, 80 a second).
  // The gate lies in the task's worktree: the sandboxed agent sees no other file under /tmp.
  const GATE = 'bench-go';
  const busy = {
    edits: Array.from({ length: 100 }, (_, i) => ({ path: `f/${i}.txt`, content: `${i}\n` })),
    text: 'done',
    delayMs: 20,
    // The agent starts its edits once every subscriber is connected.
    startWhenFileExists: GATE,
  };
  try {
    const server = await startServer(home, repo, { scenario: busy });
    try {
      // Idle: started, a few requests answered, nothing running.
      await getJson(`${server.url}/api/dashboard`);
      await new Promise((r) => setTimeout(r, 2000));
      const idle = rssMiB(server.pid);
      row('(e) server RSS when idle', sample([idle], undefined, 'MiB'));
      const id = await submit(server.url);
      const latencies = [];
      const streams = [];
      // Until all are connected, nothing counts (the connection storm is not the steady state).
      const live = { connected: 0, since: Infinity, parsed: new Map() };
      for (let i = 0; i < SUBSCRIBERS; i++) streams.push(subscribe(server.url, id, latencies, live));
      const worktree = join(home.path, 'data', 'worktrees', id);
      const allConnected = setInterval(() => {
        if (live.connected < SUBSCRIBERS || !existsSync(worktree)) return;
        live.since = Date.now();
        clearInterval(allConnected);
        writeFileSync(join(worktree, GATE), '');
      }, 5);
      let peak = rssMiB(server.pid);
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMiB(server.pid));
      }, 50);
      try {
        await Promise.all(streams);
      } finally {
        clearInterval(sampler);
      }
      const status = (await getJson(`${server.url}/tasks/${id}`)).status;
      if (status !== 'done') throw new Error(`the busy task ended ${status}`);
      clearInterval(allConnected);
      if (latencies.length < SUBSCRIBERS * 100)
        throw new Error(`only ${latencies.length} live deliveries to ${SUBSCRIBERS} subscribers`);
      row(
        `(e) live event delivery to ${SUBSCRIBERS} subscribers`,
        sample(latencies, `${latencies.length} deliveries; RSS +${(peak - idle).toFixed(0)} MiB at peak`),
      );
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all([repo.cleanup(), home.cleanup()]);
  }
}

/** (f) The health report and retention over 1,000,000 stored telemetry events (observe-bench.mjs). */
async function telemetry() {
  console.error('(f) telemetry: 1,000,000 events stored (tools/bench/observe-bench.mjs, target: report < 1 s)');
  const bench = join(root, 'tools', 'bench', 'observe-bench.mjs');
  // Its own rows and its own failure: a missed target or a wrong answer fails the whole benchmark.
  const { stdout, stderr } = await run(process.execPath, [bench], {
    env: { ...process.env, OBSERVE_BENCH_ENFORCE: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  process.stderr.write(stderr);
  process.stderr.write(stdout);
}

/** Cold starts of the everyday commands, against the same run's bare `node -e ""`. */
async function coldStart() {
  console.error(`(d) CLI cold start (${CLI_RUNS} runs each, interleaved; target: each ≤ ${CLI_TARGET}× node -e "")`);
  const home = await createTempDir('harness-bench-cli-');
  // `tasks list` is a client: a stand-in server on loopback answers GET /tasks with one page.
  const page = JSON.stringify({ tasks: [taskSummary()], total: 1, limit: 20, offset: 0, next_cursor: null });
  const server = createServer((req, res) => {
    const ok = req.method === 'GET' && req.url?.startsWith('/tasks?');
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(ok ? page : '{"error":{"code":"NOT_FOUND","message":"not found"}}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const config = join(home.path, 'harness.toml');
  writeFileSync(config, `[server]\ndata_dir = "${join(home.path, 'data')}"\n`);
  // What a user runs: the committed bin, which loads the built CLI.
  const bin = join(root, 'apps', 'cli', 'bin', 'harness.js');
  const commands = [
    ['node -e ""', ['-e', '']],
    ['harness --version', [bin, '--version']],
    ['harness --help', [bin, '--help']],
    ['harness tasks list', [bin, 'tasks', 'list', '--server', `http://127.0.0.1:${server.address().port}`]],
    ['harness config check', [bin, 'config', 'check', '--config', config]],
  ];
  const times = commands.map(() => []);
  try {
    // Round by round, so a change in the machine's load falls on every command alike.
    for (let i = 0; i < CLI_RUNS; i++)
      for (const [j, [, args]] of commands.entries()) {
        const t = process.hrtime.bigint();
        await run(process.execPath, args, { cwd: home.path });
        times[j].push(ms(t));
      }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await home.cleanup();
  }
  const floor = sample(times[0]);
  for (const [j, [what]] of commands.entries()) {
    if (j === 0) continue;
    const ratio = sample(times[j]).p50 / floor.p50;
    const met = ratio <= CLI_TARGET ? `≤ ${CLI_TARGET}×: yes` : `≤ ${CLI_TARGET}×: NO`;
    row(`(d) ${what} cold`, sample(times[j], met), floor);
  }
}

/** One finished task, as `GET /tasks` lists it. */
function taskSummary() {
  const at = new Date().toISOString();
  return {
    id: '6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
    project: 'bench',
    kind: 'prompt',
    title: 'bench',
    issue: null,
    pr: null,
    status: 'done',
    attempt: 1,
    agent: 'claude',
    branch: null,
    commit: null,
    pr_number: null,
    pr_url: null,
    grade: null,
    error: null,
    failure_class: null,
    created_at: at,
    updated_at: at,
    finished_at: at,
  };
}

/**
 * (s) What the OS sandbox adds to one agent run, on the path every task takes: Claude Code's runner
 * (the scripted CLI) from `run()` to its result, in the configured workspace-write sandbox (policy,
 * bubblewrap, the model endpoint's bridge and forward), against the same runner without a sandbox,
 * alternating so load hits both sides alike.
 */
async function sandboxStart() {
  console.error(`(s) one agent run through the runner, in the sandbox vs unsandboxed (${SANDBOX_RUNS} runs each)`);
  const home = await createTempDir('harness-bench-sbx-');
  const model = await new Promise((resolve) => {
    const server = createServer((_req, res) => res.end('{}'));
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
  try {
    const worktree = join(home.path, 'data', 'worktrees', 'task');
    mkdirSync(worktree, { recursive: true });
    const toml = [
      '[server]',
      `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
      '[agents.claude]',
      `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
      fakeAgentToml('claude', { text: 'done' }),
    ].join('\n');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home.path,
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${model.address().port}`,
    };
    const resolved = resolveConfig({
      file: { path: join(home.path, 'harness.toml'), text: toml },
      env,
      homeDir: home.path,
      cwd: home.path,
    });
    if (!resolved.ok) throw resolved.error;
    const config = resolved.value;
    const sandbox = ConfiguredSandbox.fromConfig(config, home.path);
    const refusal = await sandbox.refusal();
    if (refusal !== undefined) throw new Error(refusal);
    const runner = (withSandbox) =>
      new ClaudeCodeAgentRunner({
        config: config.agents.claude,
        sandboxMode: 'workspace-write',
        baseEnv: env,
        sandbox: withSandbox ? sandbox : undefined,
      });
    const boxedRunner = runner(true);
    const plainRunner = runner(false);
    const once = async (agent) => {
      const t = process.hrtime.bigint();
      const result = await agent.run({ prompt: 'bench', cwd: worktree }).result;
      if (!result.ok) throw new Error(`the run failed: ${result.message ?? result.reason}`);
      return ms(t);
    };
    const plain = [];
    const boxed = [];
    for (let i = 0; i < SANDBOX_RUNS; i++) {
      plain.push(await once(plainRunner));
      boxed.push(await once(boxedRunner));
    }
    const added = pct(boxed, 0.5) - pct(plain, 0.5);
    row(
      '(s) one agent run through its runner, run() to result, in the sandbox (vs unsandboxed)',
      sample(boxed, `+${added.toFixed(1)} ms at p50 (target ≤ 50)`),
      sample(plain),
    );
  } finally {
    model.close();
    await home.cleanup();
  }
}

/**
 * (h) How long `POST /tasks/:id/cancel` takes while the task's validation command would run for
 * 600 s: the documented target is under 5 s (the command's process group gets SIGTERM, then SIGKILL).
 */
async function cancelLatency() {
  console.error(`(h) cancel during validation, ${CANCELS} tasks`);
  const repo = await createTempGitRepo({ withOrigin: true });
  const home = await createTempDir('bench-home-');
  try {
    const server = await startServer(home, repo, {
      extraToml: ['[validation]', 'pre_commit = ["sleep 600"]', 'timeout_secs = 900'],
    });
    const latencies = [];
    try {
      for (let i = 0; i < CANCELS; i++) {
        const id = await submit(server.url);
        const deadline = Date.now() + 120_000;
        while ((await getJson(`${server.url}/tasks/${id}`)).status !== 'validating') {
          if (Date.now() > deadline) throw new Error(`task ${id} never reached validation`);
          await new Promise((r) => setTimeout(r, 50));
        }
        // The command has started once the task is validating; give it a moment to be running.
        await new Promise((r) => setTimeout(r, 200));
        const t = process.hrtime.bigint();
        const res = await fetch(`${server.url}/tasks/${id}/cancel`, { method: 'POST' });
        const body = await res.json();
        if (res.status !== 200 || body.status !== 'cancelled')
          throw new Error(`cancel of ${id}: ${res.status} ${JSON.stringify(body)}`);
        latencies.push(ms(t));
      }
    } finally {
      await server.stop();
    }
    row(`(h) cancel in validation (sleep 600), POST to cancelled (${CANCELS} tasks; target < 5 s)`, sample(latencies));
  } finally {
    await Promise.all([repo.cleanup(), home.cleanup()]);
  }
}

/** Starts `count` servers on one PostgreSQL database, each with its own data_dir and checkout. */
async function startFleet(count, db, repo, home) {
  const servers = [];
  for (let i = 0; i < count; i++) {
    const dir = join(home.path, `s${i}`);
    mkdirSync(dir, { recursive: true });
    const checkout = join(dir, 'bench');
    await run('git', ['clone', '-q', repo.originPath, checkout], { env: { ...process.env, ...repo.gitEnv } });
    const config = join(dir, 'harness.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `data_dir = "${join(dir, 'data')}"`,
        '[database]',
        `url = "${db.url}"`,
        '[schedulers]',
        'enabled = false',
        '[agents.claude]',
        `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
        fakeAgentToml('claude', FLEET_SCENARIO),
        '[concurrency]',
        // Each server brings its own slots: a fleet is more slots.
        'max_concurrent_tasks = 2',
        `max_queue_size = ${FLEET_TASKS + 10}`,
        '[[projects]]',
        'name = "bench"',
        `root = "${checkout}"`,
        '',
      ].join('\n'),
    );
    servers.push(
      await startHarnessServer({
        cliPath,
        args: ['--config', config],
        home: home.path,
        env: { ...repo.gitEnv },
        timeoutMs: 120_000,
      }),
    );
  }
  return servers;
}

/**
 * (g) Fleet mode on PostgreSQL: the time 1, 2 and 3 servers (2 slots each) take to drain the same
 * queue, and the latency of one claim while 1 and then 4 claimers contend for the queue.
 */
async function fleet() {
  console.error(`(g) fleet: draining ${FLEET_TASKS} tasks with 1, 2 and 3 servers; ${CLAIMS} claims under contention`);
  let oneServer;
  for (const count of [1, 2, 3]) {
    const db = await createTempPostgresDatabase();
    const repo = await createTempGitRepo({ withOrigin: true });
    const home = await createTempDir('bench-fleet-');
    let servers = [];
    try {
      servers = await startFleet(count, db, repo, home);
      const t = process.hrtime.bigint();
      const res = await fetch(`${servers[0].url}/tasks/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          project: 'bench',
          tasks: Array.from({ length: FLEET_TASKS }, () => ({ prompt: 'bench' })),
        }),
      });
      if (res.status !== 202) throw new Error(`batch: ${res.status} ${await res.text()}`);
      for (;;) {
        const d = await getJson(`${servers[0].url}/api/dashboard`);
        if (d.global.done + d.global.failed >= FLEET_TASKS) {
          if (d.global.failed > 0) throw new Error(`${d.global.failed} fleet tasks failed`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const total = ms(t);
      oneServer ??= total;
      row(
        `(g) fleet: drain ${FLEET_TASKS} tasks (slow agents), ${count} server(s) × 2 slots (vs 1 server)`,
        { p50: total / 1000, p99: total / 1000, unit: 's' },
        count === 1 ? undefined : { p50: oneServer / 1000, p99: oneServer / 1000, unit: 's' },
      );
    } finally {
      for (const server of servers) await server.stop();
      await Promise.all([repo.cleanup(), home.cleanup()]);
      await db.drop();
    }
  }
  // Claim latency: every claim takes the fleet's claim lock; contention is what it costs.
  const latencies = {};
  for (const claimers of [1, 4]) {
    const db = await createTempPostgresDatabase();
    const databases = [];
    try {
      for (let k = 0; k < claimers; k++) databases.push(await openDatabase({ url: db.url }));
      const repos = databases.map((d) => new TypeOrmTaskRepository(d.dataSource));
      for (let i = 0; i < CLAIMS; i++)
        await repos[0].create(
          taskFixture(`t${String(i).padStart(6, '0')}`, {
            createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          }),
          {
            kind: 'status',
            data: { to: 'queued' },
          },
        );
      const times = [];
      let n = 0;
      await Promise.all(
        repos.map(async (repo, k) => {
          for (;;) {
            const now = new Date().toISOString();
            const t = process.hrtime.bigint();
            // A fresh owner per call with one slot: each claim takes one task.
            const claimed = await repo.claimQueued({
              owner: `claimer-${k}-${n++}`,
              leaseExpiresAt: now,
              now,
              serverSlots: 1,
              perProject: new Map(),
              event: () => ({ kind: 'status', data: { to: 'preparing' } }),
            });
            if (claimed.length === 0) break;
            times.push(ms(t));
          }
        }),
      );
      latencies[claimers] = sample(times, `${times.length} claims`);
    } finally {
      for (const d of databases) await d.close();
      await db.drop();
    }
  }
  row('(g) fleet: one claim, 4 claimers contending (vs 1 claimer)', latencies[4], latencies[1]);
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The share of one core a process used over `seconds` of doing nothing asked of it. */
async function idleCpu(pid, seconds) {
  const before = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return ((cpuSeconds(pid) - before) / seconds) * 100;
}

/** (i) One agent printing BURST events in BURST_SECONDS: lag to a live reader, all stored, memory back. */
async function ingestBurst() {
  console.error(`(i) one agent printing ${BURST} events in ${BURST_SECONDS} s`);
  const repo = await createTempGitRepo({ withOrigin: true });
  const home = await createTempDir('bench-home-');
  const burst = {
    chatter: { messages: BURST, chars: 200, perSecond: BURST / BURST_SECONDS, stamped: true },
    ...SCENARIO,
  };
  try {
    const server = await startServer(home, repo, { scenario: burst });
    try {
      await getJson(`${server.url}/api/dashboard`);
      await new Promise((r) => setTimeout(r, 2000));
      const before = rssMiB(server.pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMiB(server.pid));
      }, 50);
      const id = await submit(server.url);
      const lags = [];
      try {
        await readStream(server.url, id, (frame, now) => {
          const stamp = /message \d+ @(\d{13}):/.exec(frame);
          if (stamp !== null) lags.push(now - Number(stamp[1]));
        });
      } finally {
        clearInterval(sampler);
      }
      const status = (await getJson(`${server.url}/tasks/${id}`)).status;
      if (status !== 'done') throw new Error(`the chatty task ended ${status}`);
      // Every event stored: a reader after the end gets them all back.
      let stored = 0;
      await readStream(server.url, id, (frame) => {
        if (/message \d+ @\d{13}:/.test(frame)) stored += 1;
      });
      if (stored !== BURST) throw new Error(`${stored} of ${BURST} events stored`);
      // V8 gives memory back once allocation has been quiet for a while (its memory reducer, tens
      // of seconds): the row says how long that took, up to 2 minutes.
      const settleStart = Date.now();
      let over = rssMiB(server.pid) - before;
      while (over > RSS_BACK_MIB && Date.now() - settleStart < 120_000) {
        await new Promise((r) => setTimeout(r, 5000));
        over = rssMiB(server.pid) - before;
      }
      const settledIn = ((Date.now() - settleStart) / 1000).toFixed(0);
      row(
        `(i) ${BURST} agent events in ${BURST_SECONDS} s: agent print → live SSE reader`,
        sample(lags, `${lags.length} live, ${stored} stored`),
      );
      row(
        `(i) server RSS after the burst and a full replay, over before it`,
        sample(
          [over],
          `${over <= RSS_BACK_MIB ? `within ${RSS_BACK_MIB} MiB after ${settledIn} s` : `still over after ${settledIn} s`}; peak +${(peak - before).toFixed(0)} MiB; ${before.toFixed(0)} MiB before`,
          'MiB',
        ),
      );
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all([repo.cleanup(), home.cleanup()]);
  }
}

/**
 * Reads a task's stream to its end event, calling `onFrame` with each frame and when it arrived
 * (`onOpen` once it is connected).
 */
/**
 * Reads a task's stream to its `end` event, calling `onFrame` with each SSE frame and the time its
 * bytes arrived. A bare HTTP/1.0 request on a socket: the body comes unchunked until the server
 * closes, so the client does no HTTP parsing and no UTF-8 decoding per frame (the frames' markers
 * are ASCII) and stays cheaper than the server it measures, with a thousand of it on two cores.
 */
function readStream(url, id, onFrame, onOpen = () => {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(`GET /tasks/${id}/stream HTTP/1.0\r\nHost: ${hostname}:${port}\r\n\r\n`);
    });
    socket.setEncoding('latin1');
    let buffer = '';
    let opened = false;
    let ended = false;
    socket.on('data', (chunk) => {
      const now = Date.now();
      buffer += chunk;
      if (!opened) {
        const headersEnd = buffer.indexOf('\r\n\r\n');
        if (headersEnd === -1) return;
        const status = buffer.slice(0, buffer.indexOf('\r\n'));
        if (!/^HTTP\/1\.[01] 200 /.test(status)) {
          socket.destroy();
          reject(new Error(`stream: ${status}`));
          return;
        }
        opened = true;
        buffer = buffer.slice(headersEnd + 4);
        onOpen();
      }
      let cut;
      while ((cut = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        onFrame(frame, now);
        if (frame.startsWith('event: end\n') || frame.includes('\nevent: end\n')) ended = true;
      }
    });
    socket.on('close', () => (ended ? resolve() : reject(new Error('stream closed before the end event'))));
    socket.on('error', reject);
  });
}

/**
 * (q) DEEP tasks queued behind a project at its own limit (its one slot held by a task that never
 * ends), a free global slot: the server's idle CPU, and POST /tasks for another project, against
 * the same with an empty queue.
 */
async function deepQueue() {
  console.error(`(q) ${DEEP} tasks queued behind a project at its limit`);
  const repo = await createTempGitRepo({ withOrigin: true });
  const other = await createTempGitRepo({ withOrigin: true });
  const home = await createTempDir('bench-home-');
  try {
    const server = await startServer(home, repo, {
      scenario: HOLDING_SCENARIO,
      maxQueue: DEEP + 1000,
      extraToml: [
        'max_concurrent = 1',
        '[[projects]]',
        'name = "other"',
        `root = "${other.path}"`,
        'max_concurrent = 1',
      ],
    });
    try {
      const post = (project) =>
        load(server.url, {
          method: 'POST',
          path: '/tasks',
          body: JSON.stringify({ project, prompt: 'bench' }),
          expect: 202,
          concurrency: 1,
          count: 100,
        });
      await getJson(`${server.url}/api/dashboard`);
      const emptyCpu = await idleCpu(server.pid, 10);
      // The first of these takes the other project's one slot; the rest wait behind it.
      const emptyPost = await post('other');
      await load(server.url, {
        method: 'POST',
        path: '/tasks',
        body: JSON.stringify({ project: 'bench', prompt: 'bench' }),
        expect: 202,
        concurrency: 8,
        count: DEEP,
      });
      const deepCpu = await idleCpu(server.pid, 10);
      const deepPost = await post('other');
      row(
        `(q) server CPU, nothing to do, ${DEEP + 100} queued behind full projects (vs none)`,
        sample([deepCpu], undefined, '%'),
        sample([emptyCpu], undefined, '%'),
      );
      row(`(q) POST /tasks with ${DEEP + 100} queued behind full projects (vs 0)`, deepPost, emptyPost);
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all([repo.cleanup(), other.cleanup(), home.cleanup()]);
  }
}

/** Submits `count` tasks and waits until they are done (every task of the server); answers the wall time. */
async function drainBatch(url, count) {
  const endedBefore = (await getJson(`${url}/api/dashboard`)).global.done;
  const t = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await submit(url);
  for (;;) {
    const d = await getJson(`${url}/api/dashboard`);
    if (d.global.failed > 0) throw new Error(`${d.global.failed} tasks failed`);
    if (d.global.done >= endedBefore + count) return ms(t);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** (l) Costs over history: the last GROWTH_WINDOW of GROWTH tasks against the first. */
async function growth() {
  console.error(`(l) ${GROWTH} tasks in batches of ${GROWTH_WINDOW}: the last batch against the first`);
  const repo = await createTempGitRepo({ withOrigin: true });
  const home = await createTempDir('bench-home-');
  try {
    const server = await startServer(home, repo, { maxQueue: GROWTH_WINDOW + 10 });
    try {
      const batches = [];
      for (let done = 0; done < GROWTH; done += GROWTH_WINDOW) {
        batches.push(await drainBatch(server.url, GROWTH_WINDOW));
        console.error(`  batch ${String(batches.length)}: ${(batches.at(-1) / 1000).toFixed(1)} s`);
        // Between batches (untimed) origin plays GitHub with `delete_merged_branches`: the pull
        // requests of the batch were merged and their branches deleted. Left there, 2,000 branches
        // make every push slower on both sides (each advertised tip is walked), whoever pushes.
        await run(
          'sh',
          ['-c', `git for-each-ref --format='delete %(refname)' refs/heads/harness/ | git update-ref --stdin`],
          {
            cwd: repo.originPath,
            env: { ...process.env, ...repo.gitEnv },
          },
        );
      }
      const refs = (await run('git', ['for-each-ref'], { cwd: repo.path })).stdout.trim().split('\n').length;
      row(
        `(l) ${GROWTH_WINDOW} tasks at c=${CONCURRENCY}, the last of ${GROWTH} (vs the first)`,
        sample(
          [batches.at(-1)],
          `${refs} refs in the checkout; batches ${batches.map((b) => (b / 1000).toFixed(0)).join(', ')} s`,
        ),
        sample([batches[0]]),
      );
    } finally {
      await server.stop();
    }
  } finally {
    await Promise.all([repo.cleanup(), home.cleanup()]);
  }
}

/**
 * (r) Tasks on a real repository (BENCH_REPO, cloned with a bare origin): one alone, then REAL_TASKS
 * at c=4 with a fresh checkout each (cold) and with finished worktrees reused (warm), each against
 * the floor (the same checkout, agent, `BENCH_SETUP` when given, commit, push, removal).
 */
async function realRepository() {
  if (BENCH_REPO === undefined) {
    console.error('(r) skipped: set BENCH_REPO to a repository git can clone (README: "Benchmarks")');
    return;
  }
  const setup = process.env.BENCH_SETUP;
  console.error(`(r) ${BENCH_REPO}: 1 task, then ${REAL_TASKS} at c=${CONCURRENCY}, cold and warm`);
  const scratch = await createTempDir('bench-real-');
  const home = await createTempDir('bench-home-');
  const repo = await createTempGitRepo();
  try {
    const origin = join(scratch.path, 'origin.git');
    const work = join(scratch.path, 'work');
    const env = { ...process.env, ...repo.gitEnv };
    await run('git', ['clone', '--quiet', '--bare', BENCH_REPO, origin], { env });
    await run('git', ['clone', '--quiet', origin, work], { env });
    const real = { ...repo, path: work };
    const head = (
      await run('git', ['symbolic-ref', '--short', 'refs/remotes/origin/HEAD'], { cwd: work, env })
    ).stdout.trim();
    const files = (await run('git', ['ls-files'], { cwd: work, env, maxBuffer: 64 * 1024 * 1024 })).stdout.split(
      '\n',
    ).length;
    const floorDir = join(scratch.path, 'floor');
    mkdirSync(floorDir);
    const floorOne = [];
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      await floorTask(real, floorDir, `one-${i}`, head, setup);
      floorOne.push(ms(t));
    }
    let t = process.hrtime.bigint();
    await pool(REAL_TASKS, CONCURRENCY, (i) => floorTask(real, floorDir, `many-${i}`, head, setup));
    const floorMany = ms(t);
    const toml = (idle) => [
      '[validation]',
      'pre_commit = ["true"]',
      '[workspace]',
      `idle_worktrees = ${idle}`,
      ...(setup === undefined ? [] : [`setup = [${JSON.stringify(setup)}]`]),
    ];
    const measure = async (idle, label) => {
      const server = await startServer(home, real, { extraToml: toml(idle) });
      try {
        // Warm: a batch first, so each measured task can take a finished worktree.
        if (idle > 0) await drainBatch(server.url, CONCURRENCY);
        const one = [];
        for (let i = 0; i < 3; i++) one.push(await drainBatch(server.url, 1));
        const many = await drainBatch(server.url, REAL_TASKS);
        row(`(r) ${label}: one task, submit to done (${files} files)`, sample(one), sample(floorOne));
        row(`(r) ${label}: ${REAL_TASKS} tasks at c=${CONCURRENCY}, wall time`, sample([many]), sample([floorMany]));
      } finally {
        await server.stop();
      }
    };
    await measure(0, 'cold');
    await measure(CONCURRENCY, 'warm');
  } finally {
    await Promise.all([repo.cleanup(), scratch.cleanup(), home.cleanup()]);
  }
}

try {
  if (ONLY.includes('a')) await sequentialOverhead();
  if (ONLY.includes('b')) await drain();
  if (ONLY.includes('c')) await queries();
  if (ONLY.includes('d')) await coldStart();
  if (ONLY.includes('e')) await subscribers();
  if (ONLY.includes('f')) await telemetry();
  if (ONLY.includes('g')) await fleet();
  if (ONLY.includes('s')) await sandboxStart();
  if (ONLY.includes('h')) await cancelLatency();
  if (ONLY.includes('i')) await ingestBurst();
  if (ONLY.includes('q')) await deepQueue();
  if (ONLY.includes('l')) await growth();
  if (ONLY.includes('r')) await realRepository();
} catch (error) {
  console.error(`\nBENCHMARK FAILED: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
}

const cell = (s) => (s === undefined ? ' | ' : `${fmt(s.p50, s.unit)} | ${fmt(s.p99, s.unit)}`);
console.log('\n| measurement | Harness p50 | Harness p99 | | floor/baseline p50 | floor/baseline p99 | | ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.what} | ${cell(r.harness)} | ${r.harness.extra ?? ''} | ${cell(r.floor)} | ${r.floor?.extra ?? ''} | ${r.ratio} |`,
  );
console.log(`\n(floor of (d) is a bare \`node -e ""\`; node ${process.version}, ${cpus().length} cores)`);
