import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  killStartedHarnessProcesses,
  processesInDirectory,
  runHarness,
  startHarnessServer,
  type FakeAgentScenario,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type {
  CreateTaskBatchResponse,
  CreateTaskResponse,
  DashboardResponse,
  ProjectListResponse,
  TaskDetail,
  TaskListResponse,
} from '@agent-harness/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { illegalStatusHistories } from './support/state-table-replay.js';

// The task engine end to end: the built server as a child process, driven over HTTP like a user.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

describe('task engine over HTTP (built server, scripted agent)', () => {
  let home: TempDir;
  let a: TempGitRepo;
  let b: TempGitRepo;
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    a = await createTempGitRepo({ withOrigin: true });
    b = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    expect(await illegalStatusHistories(join(home.path, 'data'))).toEqual([]);
    await home.cleanup();
    await a.cleanup();
    await b.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  async function start(
    scenario: FakeAgentScenario,
    options: { global?: number; queue?: number; aMax?: number; token?: string } = {},
  ): Promise<HarnessServerProcess> {
    const config = join(home.path, 'harness.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `data_dir = "${join(home.path, 'data')}"`,
        '[agents.claude]',
        `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
        fakeAgentToml('claude', scenario),
        '[concurrency]',
        `max_concurrent_tasks = ${String(options.global ?? 4)}`,
        `max_queue_size = ${String(options.queue ?? 32)}`,
        '[[projects]]',
        'name = "a"',
        `root = "${a.path}"`,
        ...(options.aMax === undefined ? [] : [`max_concurrent = ${String(options.aMax)}`]),
        '[[projects]]',
        'name = "b"',
        `root = "${b.path}"`,
        '',
      ].join('\n'),
    );
    const token = options.token === undefined ? {} : { HARNESS_API_TOKEN: options.token };
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config],
      home: home.path,
      env: { ...a.gitEnv, ...token },
    });
    return server;
  }

  const api = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${server!.url}${path}`, { ...init, headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const submit = async (body: Record<string, unknown>): Promise<string> => {
    const res = await api('/tasks', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    return (res.body as CreateTaskResponse).task_id;
  };
  const task = async (id: string): Promise<TaskDetail> => (await api(`/tasks/${id}`)).body as TaskDetail;
  async function until(id: string, statuses: string[], ms = 30_000): Promise<TaskDetail> {
    const deadline = Date.now() + ms;
    for (;;) {
      const t = await task(id);
      if (statuses.includes(t.status)) return t;
      if (Date.now() > deadline) throw new Error(`task ${id} is ${t.status}, not ${statuses.join('/')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async function readStream(
    id: string,
    lastEventId?: number,
  ): Promise<{ ids: number[]; kinds: string[]; raw: string }> {
    const res = await fetch(`${server!.url}/tasks/${id}/stream`, {
      headers: lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const raw = await res.text();
    const ids = [...raw.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const kinds = [...raw.matchAll(/^event: (\w+)$/gm)].map((m) => m[1] ?? '');
    return { ids, kinds, raw };
  }

  it("runs a prompt task: the task branch holds the agent's commit; history, list and dashboard agree", async () => {
    await start({ edits: [{ path: 'src/hello.txt', content: 'hello\n' }], text: 'Created it.' });
    const id = await submit({ project: 'a', prompt: 'Add a greeting file', description: 'feat: add greeting' });
    const done = await until(id, ['done', 'failed']);
    expect(done).toMatchObject({ status: 'done', attempt: 1, error: null, worktree: null });
    expect(done.history.map((h) => h.to)).toEqual([
      'queued',
      'preparing',
      'running',
      'validating',
      'committing',
      'done',
    ]);
    // The branch lives on origin; the local one is gone once pushed.
    expect(a.git('branch', '--list', done.branch!)).toBe('');
    a.git('fetch', '--quiet', 'origin', done.branch!);
    expect(a.git('log', '-1', '--format=%s', 'FETCH_HEAD')).toBe('feat: add greeting');
    expect(a.git('show', 'FETCH_HEAD:src/hello.txt')).toBe('hello');
    expect(readdirSync(join(home.path, 'data', 'worktrees'))).toEqual([]);
    const byRoot = await submit({ project: a.path, prompt: 'Same project by its root path' });
    await until(byRoot, ['done']);
    const list = (await api('/tasks?project=a&status=done&limit=1')).body as TaskListResponse;
    expect(list).toMatchObject({ total: 2, tasks: [{ id: byRoot }] });
    const dashboard = (await api('/api/dashboard')).body;
    expect(dashboard).toMatchObject({
      global: { running: 0, queued: 0, done: 2, failed: 0, max_concurrent: 4 },
      projects: [{ id: 'a', root: a.path, tasks: { running: 0, queued: 0, done: 2, failed: 0 } }, { id: 'b' }],
    });
  });

  it('streams events live, then replays from Last-Event-ID, ending with the end event', async () => {
    await start({ edits: [{ path: 'f.txt', content: 'x' }], delayMs: 100 });
    const id = await submit({ project: 'a', prompt: 'x' });
    const live = await readStream(id);
    expect(live.kinds.at(-1)).toBe('end');
    expect(live.ids).toEqual(live.ids.map((_, i) => i + 1));
    expect(live.kinds).toContain('agent');
    const replay = await readStream(id, 5);
    expect(replay.ids).toEqual(live.ids.filter((n) => n > 5));
    expect(replay.raw).toContain('"kind":"end"');
    expect((await fetch(`${server!.url}/tasks/no-such-task/stream`)).status).toBe(404);
  });

  it("holds a project's limit while other projects run", async () => {
    await start({ edits: [{ path: 'f.txt', content: 'x' }], delayMs: 150 }, { global: 4, aMax: 1 });
    const ids = [
      ...(await Promise.all([1, 2, 3].map((i) => submit({ project: 'a', prompt: `a${String(i)}` })))),
      ...(await Promise.all([1, 2].map((i) => submit({ project: 'b', prompt: `b${String(i)}` })))),
    ];
    let maxA = 0;
    let maxB = 0;
    for (let i = 0; i < 600; i++) {
      const d = (await api('/api/dashboard')).body as DashboardResponse;
      maxA = Math.max(maxA, d.projects.find((p) => p.id === 'a')!.tasks.running);
      maxB = Math.max(maxB, d.projects.find((p) => p.id === 'b')!.tasks.running);
      const all = await Promise.all(ids.map(task));
      if (all.every((t) => t.status === 'done')) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(maxA).toBe(1);
    expect(maxB).toBe(2);
    for (const id of ids) expect((await task(id)).status).toBe('done');
  });

  it('answers 429 when the queue is full, and cancel leaves no process behind', async () => {
    await start({ hang: 'after_init' }, { global: 1, queue: 2 });
    const running = await submit({ project: 'a', prompt: 'hangs' });
    await until(running, ['running']);
    const q1 = await submit({ project: 'b', prompt: 'waits 1' });
    await submit({ project: 'b', prompt: 'waits 2' });
    const full = await api('/tasks', {
      method: 'POST',
      body: JSON.stringify({ project: 'b', prompt: 'one too many' }),
    });
    expect(full.status).toBe(429);
    expect(full.body).toMatchObject({
      error: { code: 'QUEUE_FULL', message: expect.stringContaining('max_queue_size = 2') as string },
    });

    const worktree = join(home.path, 'data', 'worktrees', running);
    await until(running, ['running']);
    for (let i = 0; i < 100 && processesInDirectory(worktree).length === 0; i++)
      await new Promise((r) => setTimeout(r, 30));
    expect(processesInDirectory(worktree).length).toBeGreaterThan(0);
    const cancelled = await api(`/tasks/${running}/cancel`, { method: 'POST' });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect(processesInDirectory(worktree)).toEqual([]);
    expect(existsSync(worktree)).toBe(false);
    expect((await api(`/tasks/${running}/cancel`, { method: 'POST' })).status).toBe(409);
    expect((await api(`/tasks/${q1}/cancel`, { method: 'POST' })).body).toMatchObject({ status: 'cancelled' });
    expect((await api('/tasks/nope/cancel', { method: 'POST' })).status).toBe(404);
  });

  it('recovers from kill -9: the interrupted task is requeued and finishes; queued tasks still run; nothing is orphaned', async () => {
    const first = await start({ hang: 'after_init' }, { global: 1 });
    const interrupted = await submit({ project: 'a', prompt: 'interrupted' });
    const waiting = await submit({ project: 'b', prompt: 'waiting' });
    await until(interrupted, ['running']);
    const worktree = join(home.path, 'data', 'worktrees', interrupted);
    for (let i = 0; i < 100 && processesInDirectory(worktree).length === 0; i++)
      await new Promise((r) => setTimeout(r, 30));
    const orphans = processesInDirectory(worktree);
    expect(orphans.length).toBeGreaterThan(0);
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    server = undefined;
    // The agent did not outlive the server: its sandbox dies with its parent, and everything in it.
    for (let i = 0; i < 200 && processesInDirectory(worktree).length > 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(processesInDirectory(worktree)).toEqual([]);

    await start({ edits: [{ path: 'after.txt', content: 'after restart\n' }] }, { global: 1 });
    expect(processesInDirectory(worktree).filter((pid) => orphans.includes(pid))).toEqual([]);
    const resumed = await until(interrupted, ['done', 'failed']);
    expect(resumed).toMatchObject({ status: 'done', attempt: 2 });
    expect(resumed.history.map((h) => h.to)).toEqual([
      'queued',
      'preparing',
      'running',
      'queued',
      'preparing',
      'running',
      'validating',
      'committing',
      'done',
    ]);
    expect(await until(waiting, ['done', 'failed'])).toMatchObject({ status: 'done', attempt: 1 });
    expect(readdirSync(join(home.path, 'data', 'worktrees'))).toEqual([]);
    expect(processesInDirectory(join(home.path, 'data', 'worktrees'))).toEqual([]);
  });

  it('rejects bad input with a 400 naming the field', async () => {
    await start({});
    const bad = async (body: unknown, path = '/tasks') => {
      const res = await api(path, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      return JSON.stringify(res.body);
    };
    expect(await bad({ project: 'zzz', prompt: 'x' })).toContain('unknown project \\"zzz\\"');
    expect(await bad({ project: 'a' })).toContain('one of prompt, issue or pr is required');
    expect(await bad({ project: 'a', prompt: 'x', issue: 3 })).toContain('give only one of prompt, issue or pr');
    expect(await bad({ project: 'a', issue: -4 })).toContain('issue must be a positive integer');
    expect(await bad({ project: 'a', prompt: 'x', colour: 'red' })).toContain('property colour should not exist');
    expect(await bad({ project: 'a', prompt: 'x'.repeat(100_001) })).toContain('prompt must be 1 to 100000 characters');
    expect(await bad({ issues: [1, 0] }, '/tasks/batch')).toContain('issues must be positive integers');
    expect(await bad({ id: 'new', root: home.path }, '/api/projects')).toContain('is not a git repository');
    expect(await bad({ id: 'has space', root: a.path }, '/api/projects')).toContain(
      'id must start with a letter or digit',
    );
    expect((await api('/tasks?limit=0')).status).toBe(400);
    expect((await api('/tasks?status=sleeping')).status).toBe(400);
    expect((await api('/tasks', { method: 'POST', body: '{not json' })).status).toBe(400);
  });

  it('registers, uses and removes a project at runtime; refuses to remove one with live tasks', async () => {
    await start({ hang: 'after_init' }, { global: 1 });
    const c = await createTempGitRepo();
    try {
      const created = await api('/api/projects', {
        method: 'POST',
        body: JSON.stringify({ id: 'c', root: c.path, max_concurrent: 1, default_agent: 'claude', active: true }),
      });
      expect(created).toMatchObject({ status: 201, body: { id: 'c', root: c.path, origin: 'api', active: true } });
      expect(
        (await api('/api/projects', { method: 'POST', body: JSON.stringify({ id: 'c2', root: c.path }) })).status,
      ).toBe(409);
      const id = await submit({ project: 'c', prompt: 'x' });
      const refused = await api('/api/projects/c', { method: 'DELETE' });
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.body)).toContain('queued or running');
      expect((await api('/api/projects/a', { method: 'DELETE' })).status).toBe(409);
      await api(`/tasks/${id}/cancel`, { method: 'POST' });
      expect(await api('/api/projects/c', { method: 'DELETE' })).toMatchObject({ status: 200, body: { removed: 'c' } });
      expect(((await api('/api/projects')).body as ProjectListResponse).map((p) => p.id)).toEqual(['a', 'b']);
      const batch = await api('/tasks/batch', {
        method: 'POST',
        body: JSON.stringify({ project: 'b', tasks: [{ prompt: 'one' }, { issue: 7 }] }),
      });
      expect(batch.status).toBe(202);
      // Without GitHub access an issue cannot run: that entry is refused at admission, the other queued.
      expect((batch.body as CreateTaskBatchResponse).map((r) => r.status)).toEqual(['running', 'rejected']);
      expect((batch.body as { error?: string }[])[1]?.error).toContain('GITHUB_TOKEN');
    } finally {
      await c.cleanup();
    }
  });

  it('harness tasks: submit --watch renders the stream; list, show and cancel talk to the server with its token', async () => {
    await start(
      { edits: [{ path: 'cli.txt', content: 'from the cli\n' }], text: 'Wrote cli.txt.' },
      { token: 'tok-123-0123456789abcdef' },
    );
    const tasks = (args: string[], token = 'tok-123-0123456789abcdef') =>
      runHarness({
        cliPath,
        args: ['tasks', ...args, '--server', server!.url],
        home: home.path,
        env: { HARNESS_API_TOKEN: token },
      });
    const submitted = await tasks([
      'submit',
      '--project',
      'a',
      '--prompt',
      'Write cli.txt',
      '--description',
      'feat: cli file',
      '--watch',
    ]);
    expect(submitted.code).toBe(0);
    const id = submitted.stdout.split(' ')[0]!;
    // A free slot: the task started before the submit answered.
    expect(submitted.stdout).toContain(`${id} running`);
    expect(submitted.stdout).toContain('● queued → preparing');
    expect(submitted.stdout).toMatch(/→ Write .*cli\.txt/);
    expect(submitted.stdout).toMatch(/■ done \(commit [0-9a-f]{12} on harness\//);
    const list = await tasks(['list', '--project', 'a']);
    expect(list.stdout).toContain(`${id}  done       a            feat: cli file`);
    const show = await tasks(['show', id]);
    expect(show.stdout).toContain('project a · status done · attempt 1 · agent claude');
    expect(show.stdout).toMatch(/\nspent (\$\d+\.\d\d|no dollars reported) · tokens \d+ in, \d+ out\n/);
    // The server's own config file names it: its address (a wildcard host is this machine) and token.
    const clientConfig = join(home.path, 'client.toml');
    writeFileSync(
      clientConfig,
      `[server]\nhttp_addr = "0.0.0.0:${new URL(server!.url).port}"\napi_token = "tok-123-0123456789abcdef"\n`,
    );
    const viaConfig = await runHarness({ cliPath, args: ['tasks', 'list', '--config', clientConfig], home: home.path });
    expect(viaConfig.stderr).toBe('');
    expect(viaConfig.stdout).toContain(`${id}  done`);
    writeFileSync(join(home.path, 'bad.toml'), '[server]\nhttp_adr = "x"\n');
    const badConfig = await runHarness({
      cliPath,
      args: ['tasks', 'list', '--config', join(home.path, 'bad.toml')],
      home: home.path,
    });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('server.http_adr: unknown key (did you mean "http_addr"?)');
    const again = await tasks(['cancel', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('409');
    const watched = await tasks(['watch', id, '--from', '3']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).not.toContain('● new → queued');
    expect(watched.stdout).toContain('■ done');
    const denied = await tasks(['list'], 'wrong-token');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('401');
    expect(denied.stderr).toContain('the token in HARNESS_API_TOKEN was refused');
    // A plan link goes to the server, which checks it before anything is queued.
    const halfLink = await tasks(['submit', '--project', 'a', '--prompt', 'x', '--plan', 'abcdef12']);
    expect(halfLink.code).toBe(2);
    expect(halfLink.stderr).toContain('give plan_id and milestone together, or neither');
    const noPlan = await tasks(['submit', '--project', 'a', '--prompt', 'x', '--plan', 'abcdef12', '--milestone', '0']);
    expect(noPlan.code).not.toBe(0);
    expect(noPlan.stderr).toMatch(/plan/);
    const bad = await tasks(['submit', '--project', 'a']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('one of prompt, issue or pr is required');
    const nowhere = await runHarness({
      cliPath,
      args: ['tasks', 'list', '--server', 'http://127.0.0.1:9'],
      home: home.path,
    });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('cannot reach the Harness server at http://127.0.0.1:9');
  });
});
