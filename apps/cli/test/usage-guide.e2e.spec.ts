import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type {
  CreateTaskBatchResponse,
  CreateTaskResponse,
  DashboardResponse,
  HealthResponse,
  ProjectJson,
  ProjectListResponse,
  RemoveProjectResponse,
  TaskDetail,
  TaskListResponse,
} from '@agent-harness/core';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDir,
  createTempGitRepo,
  fakeAgentToml,
  killStartedHarnessProcesses,
  runHarness,
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

// The original harness's usage guide (shared/reference/usage-guide.md), walked top to bottom as a
// user follows it: its config file, its commands and its curl calls exactly as written, with only
// the placeholder paths and ids replaced. The agents and GitHub are the scripted stand-ins.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const execFileAsync = promisify(execFile);

/** The guide's "Multi-Project via Config File" block, verbatim. */
const GUIDE_CONFIG = `[server]
transport = "stdio"
http_addr = "127.0.0.1:9800"
data_dir = "~/.local/share/harness"

[agents]
default_agent = "auto"
# complexity_preferred_agents = ["codex", "claude"]
sandbox_mode = "danger-full-access"

[agents.claude]
cli_path = "claude"
default_model = "sonnet"

[agents.codex]
cli_path = "codex"

[agents.review]
enabled = true
reviewer_agent = "codex"
max_rounds = 3

[gc]
max_drafts_per_run = 5
budget_per_signal_usd = 0.50
total_budget_usd = 5.0
draft_ttl_hours = 72

[observe]
log_retention_days = 90

[otel]
environment = "development"
exporter = "disabled"

[[projects]]
name = "my-app"
root = "/path/to/my-app"
default = true
max_concurrent = 2

[[projects]]
name = "my-lib"
root = "/path/to/my-lib"
max_concurrent = 1
# default_agent = "auto" # optional override; or set a registered agent name
`;

/**
 * What the scripted Claude Code answers every run: a guard (read by GC as a draft's file), a rule
 * block (read by learn_rules) and a skill block (read by learn_skills). As an implementer it changes
 * a file only in a task's worktree, where `.git` is a file: GC and learning run it read-only in the
 * checkout, and `harness exec` runs it there too, so those runs leave the checkout as it was.
 */
const CLAUDE_ANSWER = [
  'Debug output keeps coming back in src/; a guard makes it visible before review.',
  '',
  '```sh .harness/guards/no-debug-output.sh',
  '#!/bin/sh',
  '# Flags console.log calls left in src/.',
  'grep -rn "console.log" src 2>/dev/null | while IFS=: read -r f l _; do echo "$f:$l:GC-LOG:console.log left in"; done',
  'exit 0',
  '```',
  '',
  '## LEARN-001: Remove debug output before review',
  'severity: medium',
  '',
  'No console.log added by a change is left in src/ when it goes to review.',
  '',
  '## Skills',
  '',
  '=== skill: debug-output-check ===',
  '# Debug output check: look for console.log before committing',
  '<!-- trigger-patterns: console.log, debug -->',
  'Search src/ for console.log and remove the ones the change added.',
].join('\n');
const CLAUDE = {
  commands: ['if [ -f .git ]; then echo "walked through the usage guide" > WALKED.md; fi'],
  text: CLAUDE_ANSWER,
  // Slow enough (about a second a run) that the batch's first task is still running when it is cancelled.
  delayMs: 150,
} satisfies FakeAgentScenario;
const APPROVE = `Reviewed.\n\`\`\`json\n${JSON.stringify({ verdict: 'approve', summary: 'Looks right.', issues: [] })}\n\`\`\``;

/**
 * A guard of my-app that finds five `console.log` calls and five TODOs in src/app.ts: ten
 * violations of two rules, which GC's first scan turns into two `linter_violations` signals.
 */
const GUARD = [
  '#!/bin/sh',
  '# Debug output and TODO markers left in src/.',
  'grep -n "console.log" src/app.ts | while IFS=: read -r l _; do echo "src/app.ts:$l:WALK-LOG:console.log left in"; done',
  'grep -n "TODO" src/app.ts | while IFS=: read -r l _; do echo "src/app.ts:$l:WALK-TODO:a TODO is left"; done',
  'exit 0',
  '',
].join('\n');
const APP_SOURCE = Array.from({ length: 5 }, (_, i) => `console.log('step ${String(i)}'); // TODO remove\n`).join('');

const SPEC = [
  '# Validate registration input',
  '',
  '## Milestones',
  '- [ ] Email and password checks',
  '- [ ] Username sanitizing',
  '',
  '## Steps',
  '1. Check the email format in `src/register.ts`',
  '2. Sanitize the username',
  '',
  '## Validation',
  '- Test: npm test',
  '',
].join('\n');

const hasPython = spawnSync('python3', ['--version']).status === 0;

/** A port nobody listens on now (the guide's commands take `--port N`, not `--port 0`). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve();
    });
  });
  return port;
}

/** Waits (bounded) until the process printed `pattern` on stdout. */
async function waitForStdout(child: HarnessServerProcess, pattern: RegExp, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(child.stdout())) {
    if (Date.now() > deadline) throw new Error(`no ${String(pattern)} in:\n${child.stdout()}\n${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs curl with the guide's arguments and returns what it printed (curl exits 0 on any HTTP status). */
async function curl(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('curl', args, { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}
const curlJson = async <T>(...args: string[]): Promise<T> => JSON.parse(await curl(...args)) as T;

/** A shell pipeline from the guide (curl into python3), run as a user's shell runs it. */
async function shell(command: string): Promise<string> {
  const { stdout } = await execFileAsync('sh', ['-c', command], { timeout: 60_000 });
  return stdout;
}

interface RpcAnswer<T = Record<string, unknown>> {
  readonly jsonrpc: '2.0';
  readonly id: number | null;
  readonly result?: T;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: { readonly seq?: number; readonly kind: string; readonly data: Record<string, unknown> };
}

/** The events of a finished `text/event-stream` body, heartbeats left out. */
function sseEvents(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith(':')))
    .filter((lines) => lines.length > 0)
    .map((lines) => {
      const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      return {
        id: field('id'),
        event: field('event') ?? 'message',
        data: JSON.parse(field('data') ?? 'null') as SseEvent['data'],
      };
    });
}

describe('the usage guide, walked top to bottom (built CLI, scripted agents, GitHub stand-in)', () => {
  let home: TempDir;
  let myApp: TempGitRepo;
  let myLib: TempGitRepo;
  let newProject: TempGitRepo;
  let github: FakeGitHub;
  let server: HarnessServerProcess | undefined;
  let url = '';
  const configFile = () => join(home.path, 'config', 'default.toml');
  const dataDir = () => join(home.path, 'data');

  // What one step leaves for the next.
  const submitted: { prompt?: string; issue?: string; pr?: string } = {};
  const drafts: { adopt?: string | undefined; reject?: string | undefined } = {};

  beforeAll(async () => {
    home = await createTempDir('harness-home-');
    myApp = await createTempGitRepo({
      withOrigin: true,
      files: { 'README.md': '# my-app\n', 'src/app.ts': APP_SOURCE, '.harness/guards/debug-output': GUARD },
    });
    chmodSync(join(myApp.path, '.harness', 'guards', 'debug-output'), 0o755);
    myApp.git('commit', '--quiet', '--all', '-m', 'make the guard executable');
    myApp.git('push', '--quiet', 'origin', 'main');
    // The branch of pull request #100.
    myApp.git('checkout', '--quiet', '-b', 'fix/parser');
    myApp.commitFile('src/parser.ts', 'export const parse = (s: string) => s.trim();\n', 'fix: trim parser input');
    myApp.git('push', '--quiet', 'origin', 'fix/parser');
    myApp.git('checkout', '--quiet', 'main');
    myLib = await createTempGitRepo({ withOrigin: true });
    newProject = await createTempGitRepo();

    github = await startFakeGitHub({ token: 'ghp_usage_guide' });
    github.addIssue('octo/my-app', 42, { title: 'Parser fails on an empty line', body: 'Handle the edge case.' });
    github.addPullRequest('octo/my-app', { number: 100, title: 'Trim parser input', head: 'fix/parser', base: 'main' });
    for (const n of [10, 11, 12, 13]) github.addIssue('octo/my-lib', n, { title: `Library issue ${String(n)}` });
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGTERM', 15_000);
    killStartedHarnessProcesses();
    // Every task the walk drove (done, cancelled, adopted) moved only as the state table allows.
    const illegal = await illegalStatusHistories(dataDir());
    await github.close();
    await Promise.all([home.cleanup(), myApp.cleanup(), myLib.cleanup(), newProject.cleanup()]);
    expect(illegal).toEqual([]);
  }, 60_000);

  const task = (id: string) => curlJson<TaskDetail>(`${url}/tasks/${id}`);
  async function until(id: string, statuses: readonly string[], ms = 120_000): Promise<TaskDetail> {
    const deadline = Date.now() + ms;
    for (;;) {
      const current = await task(id);
      if (statuses.includes(current.status)) return current;
      if (Date.now() > deadline) throw new Error(`task ${id} is ${current.status}, not ${statuses.join('/')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const harness = (args: readonly string[], timeoutMs = 120_000) =>
    runHarness({
      cliPath,
      args: [...args, '--config', configFile()],
      cwd: myApp.path,
      home: home.path,
      env: myApp.gitEnv,
      timeoutMs,
    });
  /** A JSON-RPC call as the guide makes it: its own curl, no session header. */
  const rpc = <T = Record<string, unknown>>(body: string) =>
    curlJson<RpcAnswer<T>>('-X', 'POST', `${url}/rpc`, '-H', 'Content-Type: application/json', '-d', body);

  describe('Server Startup', () => {
    it("Multi-Project via Config File: the guide's file, paths replaced, served with its command", async () => {
      const config = GUIDE_CONFIG.replace('"~/.local/share/harness"', JSON.stringify(dataDir()))
        .replace('cli_path = "claude"', `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`)
        .replace('cli_path = "codex"', `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`)
        // Issue and PR tasks need the project's GitHub repository; a local bare origin names none.
        .replace('root = "/path/to/my-app"', `root = ${JSON.stringify(myApp.path)}\nrepo = "octo/my-app"`)
        .replace('root = "/path/to/my-lib"', `root = ${JSON.stringify(myLib.path)}\nrepo = "octo/my-lib"`);
      // Only what the stand-ins need, after the guide's keys: GitHub's address and the agents' scripts.
      const standIns = [
        '[github]',
        `api_url = ${JSON.stringify(github.url)}`,
        fakeAgentToml('claude', CLAUDE),
        fakeAgentToml('codex', { text: APPROVE }),
      ].join('\n');
      mkdirSync(join(home.path, 'config'), { recursive: true });
      writeFileSync(configFile(), `${config}\n${standIns}`);

      const port = await freePort();
      // "With GitHub Token": GITHUB_TOKEN=… harness serve --transport http --port 9800 --config config/default.toml
      server = await startHarnessServer({
        cliPath,
        args: ['--transport', 'http', '--port', String(port), '--config', 'config/default.toml'],
        cwd: home.path,
        home: home.path,
        env: { ...myApp.gitEnv, GITHUB_TOKEN: 'ghp_usage_guide' },
        timeoutMs: 60_000,
      });
      url = server.url;
      // --transport http wins over the file's "stdio", --port over its http_addr's 9800.
      expect(url).toBe(`http://127.0.0.1:${String(port)}`);
      await waitForStdout(server, /^agent codex /m);
      expect(server.stdout()).toContain(`project my-app (default): ${myApp.path}`);
      expect(server.stdout()).toContain(`project my-lib: ${myLib.path}`);
      expect(server.stdout()).toContain('warning: [agents] sandbox_mode = "danger-full-access"');
    }, 90_000);

    it('Multi-Project via CLI Flags: --project twice and --default-project', async () => {
      const port = await freePort();
      // Its own HOME: with no config file its data directory is ~/.local/share/harness.
      const flagsHome = await createTempDir('harness-flags-home-');
      const flags = await startHarnessServer({
        cliPath,
        args: [
          '--transport',
          'http',
          '--port',
          String(port),
          '--project',
          `my-app=${myApp.path}`,
          '--project',
          `my-lib=${myLib.path}`,
          '--default-project',
          'my-app',
        ],
        home: flagsHome.path,
        env: myApp.gitEnv,
        timeoutMs: 60_000,
      });
      try {
        const projects = await curlJson<ProjectListResponse>(`${flags.url}/api/projects`);
        expect(projects.map((p) => [p.id, p.root, p.default])).toEqual([
          ['my-app', myApp.path, true],
          ['my-lib', myLib.path, false],
        ]);
      } finally {
        expect((await flags.stop('SIGTERM', 15_000)).code).toBe(0);
        await flagsHome.cleanup();
      }
    }, 90_000);
  });

  describe('Submitting Tasks', () => {
    it('By Prompt, By GitHub Issue, By Pull Request: each answers its task id and status, and is done', async () => {
      const post = (body: string) =>
        curlJson<CreateTaskResponse>(
          '-X',
          'POST',
          `${url}/tasks`,
          '-H',
          'Content-Type: application/json',
          '-d',
          body.replace('/path/to/project', myApp.path),
        );
      const byPrompt = await post(`{
    "project": "/path/to/project",
    "prompt": "Add input validation to the user registration endpoint. Check email format, password strength (min 8 chars), and sanitize the username field.",
    "description": "feat: input validation for registration"
  }`);
      // Nothing runs yet: the first task starts at once.
      expect(byPrompt).toEqual({ status: 'running', task_id: expect.any(String) as string });
      const byIssue = await post(`{
    "project": "/path/to/project",
    "issue": 42,
    "description": "fix: handle edge case in parser"
  }`);
      expect(byIssue).toEqual({
        status: expect.stringMatching(/^(running|queued)$/) as string,
        task_id: expect.any(String) as string,
      });
      const byPr = await post(`{
    "project": "/path/to/project",
    "pr": 100
  }`);
      expect(byPr).toEqual({
        status: expect.stringMatching(/^(running|queued)$/) as string,
        task_id: expect.any(String) as string,
      });
      submitted.prompt = byPrompt.task_id;
      submitted.issue = byIssue.task_id;
      submitted.pr = byPr.task_id;

      const prompt = await until(byPrompt.task_id, ['done', 'failed', 'cancelled']);
      expect(prompt).toMatchObject({ status: 'done', error: null, title: 'feat: input validation for registration' });
      expect(prompt.pr_url).toMatch(/^https:\/\/github\.example\/octo\/my-app\/pull\/\d+$/);
      const issue = await until(byIssue.task_id, ['done', 'failed', 'cancelled']);
      expect(issue).toMatchObject({ status: 'done', error: null, issue: 42 });
      expect(github.pullRequests('octo/my-app').find((p) => p.head === issue.branch)?.body).toContain('Closes #42');
      const pr = await until(byPr.task_id, ['done', 'failed', 'cancelled']);
      expect(pr).toMatchObject({ status: 'done', error: null, pr: 100 });
      // The PR task worked on the PR's own branch.
      myApp.git('fetch', '--quiet', 'origin', 'fix/parser');
      expect(myApp.git('show', 'FETCH_HEAD:WALKED.md')).toBe('walked through the usage guide');
    }, 240_000);

    it("Batch Submit: with my-lib's max_concurrent = 1 the first runs and the rest are queued", async () => {
      const batch = await curlJson<CreateTaskBatchResponse>(
        '-X',
        'POST',
        `${url}/tasks/batch`,
        '-H',
        'Content-Type: application/json',
        '-d',
        `{
    "project": "/path/to/project",
    "issues": [10, 11, 12, 13]
  }`.replace('/path/to/project', myLib.path),
      );
      const id = expect.any(String) as string;
      expect(batch).toEqual([
        { task_id: id, status: 'running' },
        { task_id: id, status: 'queued' },
        { task_id: id, status: 'queued' },
        { task_id: id, status: 'queued' },
      ]);
      // Cancelled so the walk goes on (cancel is not in the guide: plain fetch), the waiting ones
      // first so none of them starts meanwhile.
      const ids = batch.map((entry) => entry.task_id ?? expect.unreachable('a batch entry was rejected'));
      for (const taskId of [...ids.slice(1), ...ids.slice(0, 1)]) {
        const res = await fetch(`${url}/tasks/${taskId}/cancel`, { method: 'POST' });
        expect(await res.json()).toMatchObject({ id: taskId, status: 'cancelled' });
      }
    }, 60_000);
  });

  describe('Monitoring', () => {
    it('Dashboard: curl -s …/api/dashboard | python3 -m json.tool', async () => {
      const command = hasPython
        ? `curl -s ${url}/api/dashboard | python3 -m json.tool`
        : `curl -s ${url}/api/dashboard`;
      // The health grade is computed in the background (at most 5 s old): wait for the tasks' telemetry to reach it.
      let dashboard: DashboardResponse | undefined;
      for (let i = 0; i < 60; i++) {
        dashboard = JSON.parse(await shell(command)) as DashboardResponse;
        if (dashboard.global.grade !== null) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(dashboard?.global).toEqual(
        expect.objectContaining({
          running: 0,
          queued: 0,
          done: 3,
          failed: 0,
          grade: expect.stringMatching(/^[A-D]$/) as string,
          max_concurrent: 4,
          latest_pr: expect.stringMatching(/^https:\/\/github\.example\/octo\/my-app\/pull\/\d+$/) as string,
        }),
      );
      expect(dashboard?.projects).toEqual([
        expect.objectContaining({
          id: 'my-app',
          root: myApp.path,
          tasks: expect.objectContaining({ running: 0, queued: 0 }) as object,
        }),
        expect.objectContaining({
          id: 'my-lib',
          root: myLib.path,
          tasks: expect.objectContaining({ running: 0, queued: 0 }) as object,
        }),
      ]);
    }, 60_000);

    it('Task Status: a single task, and all tasks', async () => {
      const id = submitted.prompt ?? expect.unreachable('no prompt task');
      const one = await task(id);
      expect(one).toMatchObject({ id, project: 'my-app', kind: 'prompt', status: 'done' });
      expect(one.history.map((h) => h.to)).toContain('done');
      const all = await curlJson<TaskListResponse>(`${url}/tasks`);
      // Three of my-app, four of my-lib's batch.
      expect(all.total).toBe(7);
      expect(all.tasks.map((t) => t.id)).toEqual(expect.arrayContaining([id, submitted.issue, submitted.pr]));
    });

    it('SSE Streaming: curl -N …/tasks/{task_id}/stream replays the task and ends with its end event', async () => {
      const id = submitted.prompt ?? expect.unreachable('no prompt task');
      const events = sseEvents(await curl('-N', `${url}/tasks/${id}/stream`));
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i + 1)));
      expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['status', 'agent', 'log']));
      const end = events.at(-1);
      expect(end).toMatchObject({ event: 'end', data: { kind: 'end', data: { status: 'done' } } });
    }, 60_000);

    it('Health Check', async () => {
      const health = await curlJson<HealthResponse>(`${url}/health`);
      expect(health).toEqual({ status: 'ok', version: '0.1.0', uptime_secs: expect.any(Number) as number });
    });
  });

  describe('Project Management API', () => {
    it('List Projects', async () => {
      const projects = await curlJson<ProjectListResponse>(`${url}/api/projects`);
      expect(projects).toEqual([
        expect.objectContaining({ id: 'my-app', root: myApp.path, default: true, max_concurrent: 2 }),
        expect.objectContaining({ id: 'my-lib', root: myLib.path, default: false, max_concurrent: 1 }),
      ]);
    });

    it('Register a Project at Runtime, then Remove a Project', async () => {
      const registered = await curlJson<ProjectJson>(
        '-X',
        'POST',
        `${url}/api/projects`,
        '-H',
        'Content-Type: application/json',
        '-d',
        `{
    "id": "new-project",
    "root": "/path/to/new-project",
    "max_concurrent": 2,
    "default_agent": "codex",
    "active": true
  }`.replace('/path/to/new-project', newProject.path),
      );
      expect(registered).toMatchObject({
        id: 'new-project',
        root: newProject.path,
        max_concurrent: 2,
        default_agent: 'codex',
        active: true,
        origin: 'api',
      });
      expect((await curlJson<ProjectListResponse>(`${url}/api/projects`)).map((p) => p.id)).toContain('new-project');

      const removed = await curlJson<RemoveProjectResponse>('-X', 'DELETE', `${url}/api/projects/new-project`);
      expect(removed).toEqual({ removed: 'new-project' });
      expect((await curlJson<ProjectListResponse>(`${url}/api/projects`)).map((p) => p.id)).toEqual([
        'my-app',
        'my-lib',
      ]);
    });
  });

  describe('GC Learn Pipeline', () => {
    it('Prerequisites: the handshake, initialize then initialized, as two separate calls', async () => {
      const init = await rpc('{"jsonrpc":"2.0","id":1,"method":"initialize"}');
      expect(init).toMatchObject({ jsonrpc: '2.0', id: 1, result: { name: 'harness', version: '0.1.0' } });
      expect(await rpc('{"jsonrpc":"2.0","id":2,"method":"initialized"}')).toEqual({
        jsonrpc: '2.0',
        id: 2,
        result: {},
      });
    });

    it('Step 1: gc_run finds the recurring guard findings and drafts a fix for each', async () => {
      const answer = await rpc<{ signals: { type: string; key: string }[]; drafts: { id: string }[] }>(
        '{"jsonrpc":"2.0","id":3,"method":"gc_run","params":{"project_id":null}}',
      );
      expect(answer.error).toBeUndefined();
      const signals = answer.result?.signals.filter((s) => s.type === 'linter_violations').map((s) => s.key);
      expect(signals?.sort()).toEqual(['WALK-LOG', 'WALK-TODO']);
      expect(answer.result?.drafts.length).toBeGreaterThanOrEqual(2);
    }, 120_000);

    it('Step 2: gc_drafts lists them, pending', async () => {
      const answer = await rpc<{ drafts: { id: string; status: string; project: string }[] }>(
        '{"jsonrpc":"2.0","id":4,"method":"gc_drafts"}',
      );
      const listed = answer.result?.drafts ?? [];
      expect(listed.length).toBeGreaterThanOrEqual(2);
      for (const draft of listed) expect(draft).toMatchObject({ status: 'pending', project: 'my-app' });
      drafts.adopt = listed[0]?.id;
      drafts.reject = listed[1]?.id;
      // "You can also inspect drafts directly": one JSON file per draft in the data directory.
      expect(existsSync(join(dataDir(), 'drafts', `${String(drafts.adopt)}.json`))).toBe(true);
    });

    it('Step 3: gc_adopt spawns a task that applies the fix; gc_reject rejects another draft', async () => {
      const adoptId = drafts.adopt ?? expect.unreachable('no draft to adopt');
      const rejectId = drafts.reject ?? expect.unreachable('no draft to reject');
      const adopted = await rpc<{ adopted: boolean; draft_id: string; task_id: string }>(
        '{"jsonrpc":"2.0","id":5,"method":"gc_adopt","params":{"draft_id":"<DRAFT_ID>"}}'.replace(
          '<DRAFT_ID>',
          adoptId,
        ),
      );
      expect(adopted.result).toMatchObject({ adopted: true, draft_id: adoptId });
      const rejected = await rpc(
        '{"jsonrpc":"2.0","id":6,"method":"gc_reject","params":{"draft_id":"<DRAFT_ID>"}}'.replace(
          '<DRAFT_ID>',
          rejectId,
        ),
      );
      expect(rejected.result).toEqual({ rejected: true, draft_id: rejectId });

      // The adoption is an ordinary task: worktree, commit of the draft's files, PR, review.
      const fix = await until(adopted.result?.task_id ?? expect.unreachable('gc_adopt answered no task'), [
        'done',
        'failed',
        'cancelled',
      ]);
      expect(fix).toMatchObject({ status: 'done', error: null });
      myApp.git('fetch', '--quiet', 'origin', fix.branch ?? expect.unreachable('the adoption has no branch'));
      expect(myApp.git('show', 'FETCH_HEAD:.harness/guards/no-debug-output.sh')).toContain('GC-LOG');

      // Copied with its placeholder left in, the call is refused, saying what a draft id is.
      const unreplaced = await rpc('{"jsonrpc":"2.0","id":5,"method":"gc_adopt","params":{"draft_id":"<DRAFT_ID>"}}');
      expect(unreplaced).toMatchObject({
        id: 5,
        error: {
          code: -32602,
          message: expect.stringContaining('draft_id must be a draft id (8 to 12 hex characters)') as string,
        },
      });
    }, 180_000);

    it('Step 4: learn_rules and learn_skills block until the agent is done and answer what they learned', async () => {
      const rules = await rpc(
        '{"jsonrpc":"2.0","id":7,"method":"learn_rules","params":{"project_root":"/path/to/project"}}'.replace(
          '/path/to/project',
          myApp.path,
        ),
      );
      // The report itself, not a job id: the call waited for the agent.
      expect(rules).toMatchObject({
        id: 7,
        result: { kind: 'rules', project: 'my-app', drafts: 1, learned: ['LEARN-001'], problems: [] },
      });
      expect(rules.result).not.toHaveProperty('job_id');
      const skills = await rpc(
        '{"jsonrpc":"2.0","id":8,"method":"learn_skills","params":{"project_root":"/path/to/project"}}'.replace(
          '/path/to/project',
          myApp.path,
        ),
      );
      expect(skills).toMatchObject({
        id: 8,
        result: { kind: 'skills', project: 'my-app', drafts: 1, learned: ['debug-output-check'], problems: [] },
      });
      expect(skills.result).not.toHaveProperty('job_id');
      // GC and learning ran their agent read-only in the checkout: it is as it was.
      expect(myApp.git('status', '--porcelain')).toBe('');
    }, 120_000);
  });

  describe('CLI Commands (cwd: my-app, --config as the README says)', () => {
    it('harness exec "Fix the failing test in src/lib.rs"', async () => {
      const result = await harness(['exec', 'Fix the failing test in src/lib.rs']);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${CLAUDE_ANSWER}\n`);
    }, 120_000);

    it('harness rule load . and harness rule check .', async () => {
      const load = await harness(['rule', 'load', '.']);
      expect(load.code).toBe(0);
      expect(load.stdout).toMatch(/^Loaded \d+ rules for my-app$/m);
      // The rule learned over JSON-RPC is loaded with the others.
      expect(load.stdout).toMatch(/^ +1 learned +\S+\/rules\/learned\/LEARN-001\.md$/m);
      const check = await harness(['rule', 'check', '.']);
      expect(check.code).toBe(0);
      expect(check.stdout).toContain('MEDIUM src/app.ts:1 [WALK-LOG] console.log left in');
      expect(check.stdout).toContain('MEDIUM src/app.ts:5 [WALK-TODO] a TODO is left');
    }, 120_000);

    it('harness gc run .', async () => {
      const result = await harness(['gc', 'run', '.']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/GC of my-app: \d+ signal\(s\)/);
    }, 120_000);

    it('harness skill list', async () => {
      const result = await harness(['skill', 'list']);
      expect(result.code).toBe(0);
      // The skill learned over JSON-RPC, beside the built-in ones.
      expect(result.stdout).toMatch(/^debug-output-check +data +active /m);
    });

    it('harness plan init spec.md, then harness plan status on the file it wrote', async () => {
      writeFileSync(join(myApp.path, 'spec.md'), SPEC);
      const init = await harness(['plan', 'init', 'spec.md']);
      expect(init.code).toBe(0);
      const id = /^plan ([0-9a-f]{12}): Validate registration input$/m.exec(init.stdout)?.[1];
      const file = `exec-plan-${id ?? expect.unreachable(`no plan id in: ${init.stdout}`)}.md`;
      expect(init.stdout).toContain(`written to ${join(myApp.path, file)}`);
      // The guide's `exec-plan.md` stands for the file plan init wrote.
      const status = await harness(['plan', 'status', file]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`plan ${id}: Validate registration input`);
      expect(status.stdout).toContain('milestones: 0/2 done');
    });

    it('harness --version', async () => {
      const result = await runHarness({ cliPath, args: ['--version'], home: home.path });
      expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    });
  });

  describe('Troubleshooting', () => {
    it.skipIf(!hasPython)('Tasks queued but not running: the python3 one-liner reads the dashboard', async () => {
      const out = await shell(
        `curl -s ${url}/api/dashboard | python3 -c "import sys,json; d=json.load(sys.stdin); print(f'running={d[\\"global\\"][\\"running\\"]} max={d[\\"global\\"][\\"max_concurrent\\"]}')"`,
      );
      expect(out).toBe('running=0 max=4\n');
    });
  });
});
