import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DashboardResponse, TaskDetail, TaskListResponse } from '@agent-harness/core';
import {
  FAKE_AGENT_BIN_DIR,
  fakeAgentToml,
  sandboxAllowWriteToml,
  createTempDir,
  createTempGitRepo,
  killStartedHarnessProcesses,
  startFakeGitHub,
  startHarnessServer,
  type FakeAgentScenario,
  type FakeGitHub,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { illegalStatusHistories } from './support/state-table-replay.js';

// Recovery from any point, as an operator meets it: the built server is killed with SIGKILL at
// seeded random moments (mid-validation, mid-commit, mid-push, mid-PR, mid-review, any time) while
// it works through 200 tasks, and restarted on the same data directory each time. Every task must
// end done, or failed with a reason; nothing stays active; no run of a task overlaps another; every
// stored history replays against the state table; a failed task leaves a branch on origin only when
// it pushed one, and then the API names it. Replay a failure with CRASH_SEED=<the printed seed>.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const TASKS = 200;
const SLOTS = 8;
/** One kill per moment: every restart costs a server start-up, the slowest step here. */
const KILLS = 6;
const TOKEN = 'ghp_crash_points_token';
const REPO = 'octo/app';
/**
 * Two projects, each with its own repository (git work on one repository is serialized): `app` on
 * GitHub (the stand-in: pull requests, review comments), `web` with a plain origin (no PR).
 */
const PROJECTS = ['app', 'web'] as const;
const TARGETS = ['validation', 'commit', 'push', 'pr', 'review', 'anytime'] as const;
type Target = (typeof TARGETS)[number];

/** mulberry32: a small seeded generator, so one seed replays the same kills and agent behaviour. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const verdict = (v: string) => `\`\`\`json\n${JSON.stringify({ verdict: v, summary: v, issues: [] })}\n\`\`\``;

/**
 * The running processes of these tasks (their environment holds the task marker), each with what
 * it runs and its start time: a PID the kernel reuses later is not the same process. Agents write
 * the PID they have in their sandbox's namespace, so the host's view is read here.
 */
function taskProcesses(taskIds: ReadonlySet<string>): Map<number, { readonly started: string; readonly what: string }> {
  const found = new Map<number, { started: string; what: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const marker = readFileSync(`/proc/${entry}/environ`, 'utf8')
        .split('\0')
        .find((v) => v.startsWith('HARNESS_TASK_ID='));
      if (marker === undefined || !taskIds.has(marker.slice('HARNESS_TASK_ID='.length))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const what = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').slice(0, 3).join(' ');
      found.set(Number(entry), { started: fields[19] ?? '', what: `${what} (${marker})` });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe('recovery from any point: kill -9 at seeded random moments over 200 tasks', () => {
  const seed = Number(process.env['CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  const random = seededRandom(seed);
  const between = (low: number, high: number) => Math.round(low + random() * (high - low));
  let home: TempDir;
  const repos = new Map<string, TempGitRepo>();
  let github: FakeGitHub;
  let server: HarnessServerProcess | undefined;
  /** What a kill waits for at the GitHub stand-in: a pull request being opened. */
  const onPullRequest: { kill?: (() => void) | undefined } = {};

  beforeAll(async () => {
    console.log(`crash points e2e: seed ${String(seed)} (replay with CRASH_SEED=${String(seed)})`);
    home = await createTempDir('harness-crash-');
    for (const name of PROJECTS) repos.set(name, await createTempGitRepo({ withOrigin: true }));
    github = await startFakeGitHub({
      token: TOKEN,
      onRequest: (request) => {
        // Killed while its pull request is being opened: GitHub makes it, the server never hears.
        if (request.method === 'POST' && request.path === `/repos/${REPO}/pulls`) onPullRequest.kill?.();
      },
    });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL', 5_000).catch(() => undefined);
    killStartedHarnessProcesses();
    await github.close();
    await Promise.all([home.cleanup(), ...[...repos.values()].map((r) => r.cleanup())]);
  });

  const file = (name: string) => join(home.path, name);
  const repoOf = (name: string): TempGitRepo => {
    const repo = repos.get(name);
    if (repo === undefined) throw new Error(`no repository for ${name}`);
    return repo;
  };
  const marks = () => file('marks');
  const dataDir = () => file('data');

  /**
   * The scripted agents' runs, drawn from the seed (the n-th run of each agent plays the n-th
   * entry): most succeed; some implementers fail, change nothing, or make a change pre_push refuses
   * (committed, never pushed); some reviewers fail after the change was pushed.
   */
  function agentScenarios(): { claude: FakeAgentScenario; codex: FakeAgentScenario } {
    const edit = { path: 'f.txt', content: 'x\n' };
    const claudeRuns = Array.from({ length: 3 * TASKS }, (): FakeAgentScenario => {
      const r = random();
      if (r < 0.04) return { outcome: 'error' };
      if (r < 0.08) return { edits: [] };
      if (r < 0.12) return { edits: [edit, { path: 'no-push.txt', content: 'refused\n' }] };
      return { edits: [edit] };
    });
    // The reviewer marks when it starts, and takes a little while (a window to be killed in).
    const review = { commands: [`mktemp ${marks()}/review-XXXXXXXX`], delayMs: 20 };
    const codexRuns = Array.from({ length: 3 * TASKS }, (_, i): FakeAgentScenario => {
      // Some certain failures early on, whatever the seed, so failed tasks with pushed branches exist.
      const fails = i === 2 || i === 5 || random() < 0.06;
      return fails
        ? { ...review, outcome: 'turn_failed', failure: 'model overloaded' }
        : { ...review, text: verdict('approve') };
    });
    return {
      claude: { runs: [...claudeRuns, { edits: [edit] }] },
      codex: { runs: [...codexRuns, { ...review, text: verdict('approve') }] },
    };
  }

  function writeConfig(): string {
    mkdirSync(marks(), { recursive: true });
    const { claude, codex } = agentScenarios();
    const path = file('harness.toml');
    writeFileSync(
      path,
      [
        '[server]',
        `data_dir = ${JSON.stringify(dataDir())}`,
        '[concurrency]',
        `max_concurrent_tasks = ${String(SLOTS)}`,
        'max_queue_size = 1000',
        '[schedulers]',
        'enabled = false',
        '[github]',
        `api_url = ${JSON.stringify(github.url)}`,
        'pace_writes = false',
        // Each check marks when it starts, and takes a little while: windows to be killed in.
        '[validation]',
        `pre_commit = [${JSON.stringify(`mktemp ${marks()}/validate-XXXXXXXX && sleep 0.1`)}]`,
        `pre_push = [${JSON.stringify(`mktemp ${marks()}/push-XXXXXXXX && sleep 0.05 && test ! -f no-push.txt`)}]`,
        'max_retries = 0',
        '[agents]',
        'default_agent = "claude"',
        '[agents.review]',
        'enabled = true',
        'reviewer_agent = "codex"',
        'max_rounds = 1',
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        fakeAgentToml('claude', claude, file('claude.jsonl'), file('claude.count')),
        '[agents.codex]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`,
        fakeAgentToml('codex', codex, file('codex.jsonl'), file('codex.count')),
        sandboxAllowWriteToml(home.path),
        ...PROJECTS.flatMap((name) => [
          '[[projects]]',
          `name = "${name}"`,
          `root = ${JSON.stringify(repoOf(name).path)}`,
          ...(name === 'app' ? [`repo = "${REPO}"`] : []),
        ]),
        '',
      ].join('\n'),
    );
    return path;
  }

  const start = async (config: string): Promise<HarnessServerProcess> =>
    startHarnessServer({
      cliPath,
      args: ['--config', config],
      env: { ...repoOf('app').gitEnv, GITHUB_TOKEN: TOKEN },
      home: home.path,
      timeoutMs: 60_000,
    });

  /** Resolves once a mark of `kind` appears that was not there before; undefined after `capMs`. */
  async function nextMark(kind: string, seen: Set<string>, capMs: number): Promise<string | undefined> {
    const deadline = Date.now() + capMs;
    while (Date.now() < deadline) {
      const fresh = readdirSync(marks()).find((name) => name.startsWith(`${kind}-`) && !seen.has(name));
      if (fresh !== undefined) return fresh;
      await sleep(10);
    }
    return undefined;
  }

  /** Resolves once the task feed shows a task in `status`; false after `capMs`. */
  async function nextStatus(url: string, status: string, capMs: number): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, capMs);
    try {
      const response = await fetch(`${url}/api/tasks/stream`, { signal: controller.signal });
      if (response.body === null) return false;
      const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return false;
        text += decoder.decode(value, { stream: true });
        if (text.includes(`"status":"${status}"`)) return true;
        text = text.slice(-4096);
      }
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  /**
   * Waits for the moment `target` names on the running server, then kills it with SIGKILL after a
   * seeded random delay. Answers what happened, or undefined when the moment never came.
   */
  async function killAt(target: Target, running: HarnessServerProcess): Promise<string | undefined> {
    const seenMarks = new Set(readdirSync(marks()));
    const delay = {
      validation: between(0, 150),
      commit: between(0, 40),
      push: between(0, 150),
      pr: 0,
      review: between(0, 150),
      anytime: between(200, 2500),
    }[target];
    const kill = () => {
      process.kill(running.pid, 'SIGKILL');
    };
    let came = true;
    if (target === 'pr') {
      const killed = new Promise<void>((resolve) => {
        onPullRequest.kill = () => {
          onPullRequest.kill = undefined;
          kill();
          resolve();
        };
      });
      came = await Promise.race([killed.then(() => true), sleep(60_000).then(() => false)]);
      onPullRequest.kill = undefined;
    } else if (target === 'commit') {
      came = await nextStatus(running.url, 'committing', 60_000);
    } else if (target !== 'anytime') {
      const kind = { validation: 'validate', push: 'push', review: 'review' }[target];
      came = (await nextMark(kind, seenMarks, 60_000)) !== undefined;
    }
    if (!came) return undefined;
    if (target !== 'pr') {
      await sleep(delay);
      kill();
    }
    await running.exited;
    return `${target} +${String(delay)} ms`;
  }

  it('ends every task done or failed with a reason, whatever moment the server is killed at', async () => {
    const config = writeConfig();
    server = await start(config);
    const ids: string[] = [];
    // Small batches, the projects taking turns: both always have tasks in the slots (a kill waiting
    // for a pull request needs `app` tasks running).
    const BATCH = 10;
    for (let first = 0; first < TASKS; first += BATCH) {
      const res = await fetch(`${server.url}/tasks/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          project: PROJECTS[(first / BATCH) % PROJECTS.length],
          tasks: Array.from({ length: BATCH }, (_, i) => ({ prompt: `Add f.txt (${String(first + i)})` })),
        }),
      });
      expect(res.status).toBe(202);
      ids.push(...((await res.json()) as { task_id: string }[]).map((r) => r.task_id));
    }
    expect(new Set(ids).size).toBe(TASKS);

    // The kills: each target as often as the others, in a seeded order.
    const plan: Target[] = [];
    for (let i = 0; i < KILLS; i++) {
      // Each new one goes to a seeded random place among those before it.
      plan.splice(Math.floor(random() * (plan.length + 1)), 0, TARGETS[i % TARGETS.length] ?? 'anytime');
    }
    const kills: string[] = [];
    const restarts: number[] = [];
    const overlaps: string[] = [];
    const began = Date.now();
    const taskIds = new Set(ids);
    for (const target of plan) {
      const running = server;
      const killed = await killAt(target, running);
      if (killed === undefined) break;
      kills.push(killed);
      // Whatever the killed server's tasks still run (no other server runs now).
      const leftBehind = taskProcesses(taskIds);
      const restart = Date.now();
      server = await start(config);
      restarts.push(Date.now() - restart);
      // Recovery is over before the server listens: nothing the killed server started runs on
      // beside the tasks' next runs.
      const now = taskProcesses(taskIds);
      for (const [pid, proc] of leftBehind)
        if (now.get(pid)?.started === proc.started) overlaps.push(`after "${killed}": ${String(pid)} ${proc.what}`);
    }
    console.log(
      `crash points e2e: seed ${String(seed)}, kills: ${kills.join(', ')}; restarts took ${restarts.map((ms) => `${String(ms)} ms`).join(', ')}; ${String(Date.now() - began)} ms in all`,
    );
    expect(overlaps).toEqual([]);
    expect(new Set(kills.map((k) => k.split(' ')[0]))).toEqual(new Set(TARGETS));

    // Then it runs to the end, with no help.
    const get = async <T>(path: string): Promise<T> => (await (await fetch(`${server?.url ?? ''}${path}`)).json()) as T;
    const deadline = Date.now() + 600_000;
    for (;;) {
      const { global } = await get<DashboardResponse>('/api/dashboard');
      if (global.queued + global.running === 0 || Date.now() > deadline) break;
      await sleep(1000);
    }
    const tasks = (await get<TaskListResponse>(`/tasks?limit=${String(TASKS)}`)).tasks;
    expect(tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
    const byStatus = new Map<string, number>();
    for (const t of tasks) byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
    console.log(
      `crash points e2e: ${[...byStatus].map(([s, n]) => `${s} ${String(n)}`).join(', ')} after ${String(Date.now() - began)} ms`,
    );
    for (const t of tasks.filter((x) => x.status === 'failed'))
      console.log(
        `crash points e2e: failed ${t.id} (attempt ${String(t.attempt)}, ${String(t.failure_class)}): ${String(t.error)}`,
      );

    // Every task ended: done, or failed with a reason; none is active or counted as running.
    expect(tasks.filter((t) => t.status !== 'done' && t.status !== 'failed').map((t) => `${t.id} ${t.status}`)).toEqual(
      [],
    );
    for (const t of tasks.filter((x) => x.status === 'failed')) {
      expect(t.error, t.id).toBeTruthy();
      expect(t.failure_class, t.id).toBeTruthy();
    }
    expect((await get<DashboardResponse>('/api/dashboard')).global.running).toBe(0);
    expect(byStatus.get('done') ?? 0).toBeGreaterThan(TASKS / 2);

    // Branches: every harness/* branch on origin is one the API names (nothing kept silently); a
    // failed task that pushed nothing has none, on origin or in the checkout; a done task's is on
    // origin only.
    const heads = (where: string[]) =>
      execFileSync('git', where, { encoding: 'utf8', env: { ...process.env, ...repoOf('app').gitEnv } })
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/^.*refs\/heads\//, '').trim());
    const branches = new Map<string, { onOrigin: Set<string>; local: string[] }>(
      PROJECTS.map((name) => {
        const repo = repoOf(name);
        return [
          name,
          {
            onOrigin: new Set(heads(['ls-remote', '--heads', repo.originPath ?? '', 'harness/*'])),
            local: heads(['-C', repo.path, 'for-each-ref', '--format=%(refname)', 'refs/heads/harness/']),
          },
        ];
      }),
    );
    for (const [name, { onOrigin }] of branches) {
      const named = new Set(tasks.flatMap((t) => (t.project === name && t.branch !== null ? [t.branch] : [])));
      expect(
        [...onOrigin].filter((b) => !named.has(b)),
        `${name}: branches on origin no task names`,
      ).toEqual([]);
    }
    const failedPushed = tasks.filter((t) => t.status === 'failed' && t.branch !== null);
    for (const t of tasks) {
      const { onOrigin, local } = branches.get(t.project) ?? { onOrigin: new Set<string>(), local: [] };
      const prefix = `harness/${t.id.slice(0, 8)}`;
      if (t.status === 'done') {
        expect(onOrigin.has(t.branch ?? ''), `${t.id} done on ${String(t.branch)}`).toBe(true);
        // Origin is the record: no local copy piles up in the checkout.
        expect(local.includes(t.branch ?? ''), `${t.id} done, local copy of ${String(t.branch)}`).toBe(false);
      }
      if (t.status === 'failed' && t.branch === null) {
        expect(
          [...onOrigin].filter((b) => b.startsWith(prefix)),
          `${t.id} failed, nothing pushed`,
        ).toEqual([]);
        expect(
          local.filter((b) => b.startsWith(prefix)),
          `${t.id} failed, nothing pushed`,
        ).toEqual([]);
      }
    }
    // The reviewer's failures come after the push: those branches stay, and the API shows them.
    expect(failedPushed.length).toBeGreaterThan(0);
    for (const t of failedPushed) {
      expect(branches.get(t.project)?.onOrigin.has(t.branch ?? ''), `${t.id} names ${String(t.branch)}`).toBe(true);
      expect((await get<TaskDetail>(`/tasks/${t.id}`)).branch).toBe(t.branch);
    }

    // At most one pull request per branch, however often a task was interrupted opening it.
    const prHeads = github.pullRequests(REPO).map((pr) => pr.head);
    expect(prHeads.length).toBeGreaterThan(0);
    expect(prHeads.length - new Set(prHeads).size).toBe(0);

    // Every stored history replays against the state table.
    await server.stop('SIGTERM', 15_000);
    server = undefined;
    expect(await illegalStatusHistories(dataDir())).toEqual([]);
  }, 900_000);
});
