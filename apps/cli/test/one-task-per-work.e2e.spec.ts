import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import type { CreateTaskResponse, TaskDetail, TaskListResponse, WebhookResponse } from '@agent-harness/core';
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
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// One task per piece of work, against the built server, the GitHub stand-in and scripted agents:
// a burst of deliveries for one issue makes one task and one PR; a retry reuses the branch and PR.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const SECRET = 'whsec-e2e-one-task-per-work';
const TOKEN = 'ghp_e2e_token';
const APPROVE = 'Reviewed.\n```json\n{"verdict":"approve","summary":"Right.","issues":[]}\n```';

describe('one task per piece of work (built server, GitHub stand-in, scripted agents)', () => {
  let home: TempDir;
  let app: TempGitRepo;
  let github: FakeGitHub;
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    app = await createTempGitRepo({ withOrigin: true });
    github = await startFakeGitHub({ token: TOKEN });
    github.addIssue('octo/app', 42, { title: 'Parser rejects valid input', body: 'It crashes.' });
    github.setPermission('octo/app', 'ann', 'write');
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    await github.close();
    await home.cleanup();
    await app.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const file = (name: string) => join(home.path, name);
  async function start(implementer: FakeAgentScenario, reviewer: FakeAgentScenario): Promise<HarnessServerProcess> {
    writeFileSync(
      file('harness.toml'),
      [
        '[server]',
        `data_dir = ${JSON.stringify(file('data'))}`,
        'public_url = "https://harness.example"',
        `github_webhook_secret = ${JSON.stringify(SECRET)}`,
        '[github]',
        `api_url = ${JSON.stringify(github.url)}`,
        '[agents]',
        'default_agent = "claude"',
        '[agents.review]',
        'reviewer_agent = "codex"',
        'max_rounds = 1',
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        fakeAgentToml('claude', implementer, undefined, file('claude.count')),
        '[agents.codex]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`,
        fakeAgentToml('codex', reviewer, undefined, file('codex.count')),
        sandboxAllowWriteToml(home.path),
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(app.path)}`,
        'repo = "octo/app"',
        '',
      ].join('\n'),
    );
    server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      env: { ...app.gitEnv, GITHUB_TOKEN: TOKEN },
    });
    return server;
  }

  const url = (path: string) => `${server?.url ?? expect.unreachable('no server')}${path}`;
  const getJson = async <T>(path: string): Promise<T> => (await (await fetch(url(path))).json()) as T;
  async function until(id: string, statuses: string[], ms = 90_000): Promise<TaskDetail> {
    const deadline = Date.now() + ms;
    for (;;) {
      const task = await getJson<TaskDetail>(`/tasks/${id}`);
      if (statuses.includes(task.status)) return task;
      if (Date.now() > deadline)
        throw new Error(`task is ${task.status} (${String(task.error)}), not ${statuses.join('/')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async function eventually(check: () => boolean, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function deliver(n: number): Promise<{ status: number; body: WebhookResponse }> {
    const text = JSON.stringify({
      action: 'created',
      issue: { number: 42, title: 'Parser rejects valid input', user: { login: 'reporter' } },
      comment: { id: n, body: '@harness please fix', user: { login: 'ann', type: 'User' } },
      repository: { full_name: 'octo/app', name: 'app', owner: { login: 'octo' } },
      sender: { login: 'ann', type: 'User' },
    });
    const res = await fetch(url('/webhook'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': `5eed0000-${String(n).padStart(4, '0')}-4b5a-8c9d-aabbccddeeff`,
        'x-hub-signature-256': await sign(SECRET, text),
      },
      body: text,
    });
    return { status: res.status, body: (await res.json()) as WebhookResponse };
  }

  it('100 concurrent signed deliveries for one issue (distinct delivery ids): one task, one PR, one "already working" reply', async () => {
    // The implementer waits for the go file: the task stays unfinished until every delivery is answered.
    const go = file('go');
    await start(
      {
        edits: [{ path: 'fix.txt', content: 'fixed\n' }],
        commands: [`for i in $(seq 1 1200); do [ -f ${go} ] && exit 0; sleep 0.05; done`],
      },
      { text: APPROVE },
    );
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => deliver(i + 1)));
    expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
    const accepted = answers.filter((a) => a.body.status === 'accepted');
    expect(accepted).toHaveLength(1);
    const taskId = accepted[0]?.body.task_id ?? expect.unreachable('no task id');
    const existing = answers.filter((a) => a.body.status === 'existing');
    expect(existing).toHaveLength(99);
    for (const answer of existing) expect(answer).toMatchObject({ status: 200, body: { task_id: taskId } });
    expect(existsSync(go)).toBe(false);
    writeFileSync(go, '');

    const task = await until(taskId, ['done', 'failed']);
    expect(task).toMatchObject({ status: 'done', kind: 'issue', issue: 42 });
    const listed = await getJson<TaskListResponse>('/tasks?limit=200');
    expect(listed.total).toBe(1);
    expect(github.pullRequests('octo/app')).toHaveLength(1);
    expect(github.pullRequests('octo/app')[0]?.body).toContain('Closes #42');

    // The issue hears: queued, once that it is already being worked on (with the link), the outcome.
    const outcome = `Harness task \`${taskId}\` is done`;
    const comments = () => github.issue('octo/app', 42)?.comments.map((c) => c.body) ?? [];
    await eventually(() => comments().some((c) => c.startsWith(outcome)), 'the outcome reply');
    const replies = comments();
    expect(replies).toHaveLength(3);
    // The queued reply and the "already working" one are written independently: either may come first.
    expect(replies.filter((r) => r.includes(`Harness queued task \`${taskId}\``))).toHaveLength(1);
    expect(replies).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^Harness is already working on this \\(asked by ann\\): task \`${taskId}\` \\(\\w+\\)\\. Nothing new was queued\\.\\n\\nFollow it: https://harness\\.example/tasks/${taskId}$`,
        ),
      ),
    );
  });

  it('a new request after a task failed is a retry on its branch and pull request: one PR in all', async () => {
    // The first review fails (after the PR is open); the retry's is approved.
    await start(
      {
        runs: [
          { edits: [{ path: 'fix.txt', content: 'first attempt\n' }] },
          { edits: [{ path: 'fix.txt', content: 'second attempt\n' }] },
        ],
      },
      { runs: [{ outcome: 'turn_failed', failure: 'the reviewer broke' }, { text: APPROVE }] },
    );
    const post = async (): Promise<{ status: number; body: CreateTaskResponse }> => {
      const res = await fetch(url('/tasks'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ project: 'app', issue: 42 }),
      });
      return { status: res.status, body: (await res.json()) as CreateTaskResponse };
    };
    const first = await post();
    expect(first.status).toBe(202);
    const failed = await until(first.body.task_id, ['done', 'failed']);
    expect(failed).toMatchObject({ status: 'failed', failure_class: 'review_failed' });
    expect(failed.pr_url).toEqual(expect.any(String));
    const branch = failed.branch ?? expect.unreachable('no branch');

    const retry = await post();
    expect(retry.status).toBe(202);
    expect(retry.body.task_id).not.toBe(first.body.task_id);
    const done = await until(retry.body.task_id, ['done', 'failed']);
    expect(done).toMatchObject({ status: 'done', branch, pr_url: failed.pr_url });
    const prs = github.pullRequests('octo/app');
    expect(prs).toHaveLength(1);
    expect(prs[0]?.head).toBe(branch);
    app.git('fetch', '--quiet', 'origin', branch);
    expect(app.git('show', `origin/${branch}:fix.txt`)).toBe('second attempt');
    expect(prs[0]?.comments.some((c) => c.includes(`Harness task ${retry.body.task_id} pushed`))).toBe(true);
    // Its first status event says what it retries.
    expect(done.history[0]?.reason).toContain(`a retry of task ${first.body.task_id} (failed)`);
  });
});
