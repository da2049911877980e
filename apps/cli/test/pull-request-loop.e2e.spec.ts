import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import {
  createTempDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  killStartedHarnessProcesses,
  readFakeAgentLog,
  runHarness,
  sandboxAllowWriteToml,
  startFakeGitHub,
  startHarnessServer,
  type FakeAgentScenario,
  type FakeGitHub,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { illegalStatusHistories } from './support/state-table-replay.js';

// After "PR opened": the built server watches the pull request's CI and the people reviewing it,
// runs bounded rounds on the same branch, takes follow-ups and approvals, merges, and tells a
// webhook receiver. GitHub is the stand-in, its PR heads following the real pushes to origin.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const TOKEN = 'ghp_loop_token';
const WEBHOOK_SECRET = 'loop-webhook-secret';
const NOTIFY_SECRET = 'notify-secret-of-the-loop';
const APP_ID = 4242;
const INSTALLATION = 77;
const APPROVE = `Reviewed.\n\`\`\`json\n${JSON.stringify({ verdict: 'approve', summary: 'Fine.', issues: [] })}\n\`\`\``;

interface Received {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

describe('the pull request loop (built server, GitHub stand-in, scripted agents)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let github: FakeGitHub;
  let receiver: Server;
  let received: Received[];
  let server: HarnessServerProcess | undefined;
  let appKey: string;

  beforeEach(async () => {
    home = await createTempDir('harness-loop-');
    repo = await createTempGitRepo({ withOrigin: true, files: { 'parser.txt': 'v0\n' } });
    const origin = repo.originPath ?? expect.unreachable('no origin');
    // A GitHub App of this test only: the stand-in verifies its JWTs and issues installation tokens.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    appKey = privateKey;
    github = await startFakeGitHub({
      token: TOKEN,
      app: { id: APP_ID, publicKeyPem: publicKey, installations: { 'octo/app': INSTALLATION } },
      // The PR's head is what origin's branch holds now, as on GitHub.
      resolveHead: (_repo, branch) => {
        try {
          return execFileSync('git', ['rev-parse', `refs/heads/${branch}`], {
            cwd: origin,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }).trim();
        } catch {
          return undefined;
        }
      },
    });
    // The repository has an Actions workflow: a PR with no check yet is waited for.
    github.addWorkflowRun('octo/app', { headSha: '0'.repeat(40), name: 'CI', conclusion: 'success', jobs: [] });
    received = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    expect(await illegalStatusHistories(join(home.path, 'data'))).toEqual([]);
    await github.close();
    await new Promise((resolve) => receiver.close(resolve));
    await home.cleanup();
    await repo.cleanup();
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const file = (name: string) => join(home.path, name);
  const tomlEnv = (env: Record<string, string>) =>
    Object.entries(env)
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
      .join('\n');

  async function start(
    implementer: FakeAgentScenario,
    reviewer: FakeAgentScenario,
    github_: string[],
    extra: string[] = [],
    options: { readonly app?: boolean } = {},
  ): Promise<HarnessServerProcess> {
    const { port } = receiver.address() as AddressInfo;
    if (options.app === true) writeFileSync(file('app.pem'), appKey, { mode: 0o600 });
    const app =
      options.app === true
        ? ['[github.app]', `app_id = ${String(APP_ID)}`, `private_key_path = ${JSON.stringify(file('app.pem'))}`]
        : [];
    writeFileSync(
      file('harness.toml'),
      [
        '[server]',
        `data_dir = ${JSON.stringify(file('data'))}`,
        `github_webhook_secret = ${JSON.stringify(WEBHOOK_SECRET)}`,
        '[github]',
        `api_url = ${JSON.stringify(github.url)}`,
        'pace_writes = false',
        'no_ci_grace_secs = 600',
        ...github_,
        ...app,
        '[agents.review]',
        'reviewer_agent = "codex"',
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        '[agents.claude.env]',
        tomlEnv({
          FAKE_AGENT_SCENARIO: JSON.stringify(implementer),
          FAKE_AGENT_LOG: file('claude.jsonl'),
          FAKE_AGENT_COUNTER: file('claude.count'),
        }),
        '[agents.codex]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`,
        '[agents.codex.env]',
        tomlEnv({
          FAKE_AGENT_SCENARIO: JSON.stringify(reviewer),
          FAKE_AGENT_LOG: file('codex.jsonl'),
          FAKE_AGENT_COUNTER: file('codex.count'),
        }),
        sandboxAllowWriteToml(home.path),
        '[[notify]]',
        `url = "http://127.0.0.1:${String(port)}/hook"`,
        `secret = ${JSON.stringify(NOTIFY_SECRET)}`,
        'events = ["done", "ci_fixed", "awaiting_approval"]',
        ...extra,
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        'repo = "octo/app"',
        '',
      ].join('\n'),
    );
    server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      // With the App, no personal token at all.
      env: { ...repo.gitEnv, ...(options.app === true ? {} : { GITHUB_TOKEN: TOKEN }) },
    });
    return server;
  }

  const api = async (path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(
      `${server!.url}${path}`,
      body === undefined
        ? {}
        : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    return res.json();
  };
  /** The task once `ready` says so (polled), failing with what it is when it does not come. */
  async function until(
    id: string,
    ready: (task: TaskDetail) => boolean,
    what: string,
    ms = 60_000,
  ): Promise<TaskDetail> {
    const deadline = Date.now() + ms;
    for (;;) {
      const task = (await api(`/tasks/${id}`)) as TaskDetail;
      if (ready(task)) return task;
      if (Date.now() > deadline) throw new Error(`task is ${task.status} (${String(task.error)}), not ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const waitingOn = (id: string, notCommit?: string | null) =>
    until(id, (t) => t.status === 'waiting_ci' && t.commit !== notCommit, `waiting_ci on a new commit`);
  const ended = (id: string) => until(id, (t) => ['done', 'failed', 'cancelled'].includes(t.status), 'ended');
  const pr = () => github.pullRequests('octo/app')[0] ?? expect.unreachable('no pull request');
  async function deliver(event: string, payload: unknown): Promise<number> {
    const text = JSON.stringify(payload);
    const res = await fetch(`${server!.url}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': `0f1e2d3c-${String(Date.now() % 10_000).padStart(4, '0')}-4b5a-8c9d-aabbccddeeff`,
        'x-hub-signature-256': await sign(WEBHOOK_SECRET, text),
      },
      body: text,
    });
    await res.body?.cancel();
    return res.status;
  }
  async function notified(event: string): Promise<{ body: Record<string, unknown>; headers: Received['headers'] }> {
    for (let i = 0; i < 200; i++) {
      const hit = received.find((r) => r.headers['x-harness-event'] === event);
      if (hit !== undefined) {
        // Signed as GitHub signs its webhooks: HMAC-SHA256 of the exact body.
        const expected = `sha256=${createHmac('sha256', NOTIFY_SECRET).update(hit.body).digest('hex')}`;
        expect(hit.headers['x-harness-signature-256']).toBe(expected);
        return { body: JSON.parse(hit.body) as Record<string, unknown>, headers: hit.headers };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `no "${event}" notification (got ${received.map((r) => String(r.headers['x-harness-event'])).join(', ')})`,
    );
  }

  it('CI fails once: one fix round with the failed job log, then green, squash-merged, as a GitHub App; ci_fixed is told, signed', async () => {
    await start(
      {
        runs: [
          { edits: [{ path: 'parser.txt', content: 'v1\n' }] },
          { edits: [{ path: 'parser.txt', content: 'v1 fixed\n' }] },
        ],
      },
      { runs: [{ text: APPROVE }] },
      [
        'auto_merge = "squash"',
        'ci_poll_interval_secs = 1',
        'max_ci_fix_rounds = 2',
        'draft = true',
        'labels = ["harness", "bot"]',
        'reviewers = ["ann", "octo/core"]',
      ],
      [],
      { app: true },
    );
    const { task_id: id } = (await api('/tasks', {
      project: 'app',
      prompt: 'Teach the parser v1',
    })) as CreateTaskResponse;
    const first = await waitingOn(id);
    const firstSha = first.commit ?? expect.unreachable('no commit');
    expect(first).toMatchObject({ review_outcome: 'approved', pr_number: pr().number });
    // Opened a draft with its labels and reviewers, marked ready once Harness's review approved.
    expect(github.requests.find((r) => r.method === 'POST' && r.path === '/repos/octo/app/pulls')?.body).toMatchObject({
      draft: true,
    });
    expect(pr()).toMatchObject({
      draft: false,
      labels: ['harness', 'bot'],
      requestedReviewers: ['ann'],
      requestedTeams: ['core'],
    });

    // CI fails on that commit, with a log whose end says why.
    github.setCheckRuns('octo/app', firstSha, [
      {
        name: 'test',
        status: 'completed',
        conclusion: 'failure',
        output: { title: '1 test failed', summary: 'parser' },
      },
    ]);
    github.addWorkflowRun('octo/app', {
      headSha: firstSha,
      name: 'CI',
      conclusion: 'failure',
      jobs: [
        {
          name: 'test',
          conclusion: 'failure',
          log: `${'noise\n'.repeat(50)}FAIL parser.spec: expected "v1 fixed", got "v1"\n`,
        },
      ],
    });
    const second = await waitingOn(id, firstSha);
    const secondSha = second.commit ?? expect.unreachable('no commit');
    expect(second.pull_request_loop).toMatchObject({ ci_fix_rounds: 1, round: null, merged: false });

    github.setCheckRuns('octo/app', secondSha, [{ name: 'test', status: 'completed', conclusion: 'success' }]);
    const done = await ended(id);
    expect(done).toMatchObject({ status: 'done', error: null, pull_request_loop: { ci_fix_rounds: 1, merged: true } });
    expect(pr()).toMatchObject({ merged: true, mergeMethod: 'squash', state: 'closed' });
    // Merged by Harness, with no webhook for it: the branch goes from GitHub (delete_merged_branches).
    expect(github.deletedBranches('octo/app')).toEqual([done.branch]);
    expect(github.requests.find((r) => r.method === 'PUT')?.body).toMatchObject({
      sha: secondSha,
      merge_method: 'squash',
    });
    const moves = done.history.map((h) => h.to);
    expect(moves.slice(-8)).toEqual([
      'waiting_ci',
      'queued',
      'preparing',
      'running',
      'validating',
      'committing',
      'waiting_ci',
      'done',
    ]);
    // One fix round: the second run resumed the session and saw the end of the failed job's log.
    const claude = readFakeAgentLog(file('claude.jsonl'));
    expect(claude).toHaveLength(2);
    expect(claude[1]!.prompt).toContain('FAIL parser.spec: expected "v1 fixed", got "v1"');
    expect(claude[1]!.prompt).toContain('- test (check): 1 test failed parser');
    expect(claude[1]!.argv).toEqual(expect.arrayContaining(['--resume']));
    // The fix round is no new change: no second review.
    expect(readFakeAgentLog(file('codex.jsonl'))).toHaveLength(1);
    repo.git('fetch', '--quiet', 'origin', done.branch ?? '');
    expect(repo.git('show', `origin/${done.branch ?? ''}:parser.txt`)).toBe('v1 fixed');

    // The whole run spoke to GitHub as the App: every repository request with an installation token it issued.
    const tokens = new Set(github.issuedTokens().map((t) => `token ${t.token}`));
    const onRepos = github.requests.filter((r) => r.path.startsWith('/repos/') && !r.path.endsWith('/installation'));
    expect(onRepos.length).toBeGreaterThan(10);
    expect(onRepos.filter((r) => !tokens.has(r.authorization ?? '')).map((r) => `${r.method} ${r.path}`)).toEqual([]);

    const fixed = await notified('ci_fixed');
    expect(fixed.body).toMatchObject({ event: 'ci_fixed', task: { id, pr_url: done.pr_url } });
    expect((await notified('done')).body).toMatchObject({ event: 'done', task: { id, status: 'done' } });
  });

  it("a person's requested changes run a round that replies on their thread; a follow-up from the CLI lands on the same PR", async () => {
    await start(
      {
        runs: [
          { edits: [{ path: 'parser.txt', content: 'v1\n' }] },
          { edits: [{ path: 'parser.txt', content: 'v1 renamed\n' }], text: 'Renamed as asked.' },
          // The follow-up's session is gone (another server's, or pruned): a new one takes it.
          { outcome: 'unknown_session' },
          { edits: [{ path: 'parser.test.txt', content: 'covers v1\n' }] },
        ],
      },
      { runs: [{ text: APPROVE }, { text: APPROVE }] },
      ['ci_poll_interval_secs = 1'],
    );
    github.setPermission('octo/app', 'ann', 'write');
    const { task_id: id } = (await api('/tasks', {
      project: 'app',
      prompt: 'Teach the parser v1',
    })) as CreateTaskResponse;
    const first = await waitingOn(id);
    const { commentIds } = github.submitReview('octo/app', pr().number, {
      author: 'ann',
      state: 'CHANGES_REQUESTED',
      body: 'Close, but rename it.',
      comments: [{ path: 'parser.txt', line: 1, body: 'call it "v1 renamed"' }],
    });
    const second = await waitingOn(id, first.commit);
    expect(second.pull_request_loop).toMatchObject({ feedback_rounds: 1 });
    const claude = readFakeAgentLog(file('claude.jsonl'));
    expect(claude[1]!.prompt).toContain('ann (requested changes):\nClose, but rename it.');
    expect(claude[1]!.prompt).toContain('call it "v1 renamed"');
    // Answered on the thread of the comment, naming the commit.
    const reply = github.requests.find((r) => r.path.endsWith(`/comments/${String(commentIds[0])}/replies`));
    expect((reply?.body as { body?: string } | undefined)?.body).toContain(
      `Addressed in ${(second.commit ?? '').slice(0, 12)}`,
    );

    github.setCheckRuns('octo/app', second.commit ?? '', [
      { name: 'test', status: 'completed', conclusion: 'success' },
    ]);
    const done = await ended(id);
    // auto_merge is off: done, the PR left for a person.
    expect(done).toMatchObject({ status: 'done', pull_request_loop: { merged: false } });
    expect(pr().merged).toBe(false);

    const sent = await runHarness({
      cliPath,
      args: ['tasks', 'follow-up', id.slice(0, 8), 'Add a test for v1', '--server', server!.url],
      home: home.path,
      cwd: home.path,
    });
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toBe(`${id} queued\n`);
    const third = await waitingOn(id, done.commit);
    expect(third.pull_request_loop).toMatchObject({ follow_ups: 1 });
    github.setCheckRuns('octo/app', third.commit ?? '', [{ name: 'test', status: 'completed', conclusion: 'success' }]);
    const again = await ended(id);
    expect(again.status).toBe('done');
    // Reopened, not a new task: done → queued in its history, and still one pull request.
    expect(again.history.some((h) => h.from === 'done' && h.to === 'queued')).toBe(true);
    expect(github.pullRequests('octo/app')).toHaveLength(1);
    expect(pr().comments.some((c) => c.includes('a follow-up'))).toBe(true);
    const [resumed, fresh] = readFakeAgentLog(file('claude.jsonl')).slice(2);
    expect(resumed!.prompt).toContain('Add a test for v1');
    expect(resumed!.argv).toEqual(expect.arrayContaining(['--resume']));
    expect(fresh!.argv).not.toContain('--resume');
    expect(fresh!.prompt).toContain('Add a test for v1');
    expect(fresh!.prompt).toContain('Your earlier session is not available');
    repo.git('fetch', '--quiet', 'origin', again.branch ?? '');
    expect(repo.git('show', `origin/${again.branch ?? ''}:parser.test.txt`)).toBe('covers v1');
    expect(repo.git('show', `origin/${again.branch ?? ''}:parser.txt`)).toBe('v1 renamed');
    // A follow-up of a task that is not waiting or ended is refused before anything changes.
    const refused = await runHarness({
      cliPath,
      args: ['tasks', 'follow-up', id, '   ', '--server', server!.url],
      home: home.path,
      cwd: home.path,
    });
    expect(refused.code).not.toBe(0);
  });

  it('a merge held for approval: CI told by webhook, awaiting_approval notified, "@harness approve" on the PR merges it', async () => {
    await start(
      { runs: [{ edits: [{ path: 'parser.txt', content: 'v1\n' }] }] },
      { runs: [{ text: APPROVE }] },
      // No polling to speak of: the webhooks drive it.
      ['auto_merge = "merge"', 'ci_poll_interval_secs = 3600'],
      ['[approvals]', 'before = ["merge"]'],
    );
    github.setPermission('octo/app', 'ann', 'write');
    const { task_id: id } = (await api('/tasks', {
      project: 'app',
      prompt: 'Teach the parser v1',
    })) as CreateTaskResponse;
    const waiting = await waitingOn(id);
    const sha = waiting.commit ?? '';
    github.setCheckRuns('octo/app', sha, [{ name: 'test', status: 'completed', conclusion: 'success' }]);
    const repository = { full_name: 'octo/app', name: 'app', owner: { login: 'octo' } };
    expect(
      await deliver('check_suite', {
        action: 'completed',
        check_suite: { head_sha: sha, head_branch: waiting.branch, pull_requests: [{ number: pr().number }] },
        repository,
      }),
    ).toBe(200);
    const held = await until(id, (t) => t.status === 'awaiting_approval', 'awaiting_approval', 15_000);
    expect(held.approval).toMatchObject({ stage: 'merge' });
    expect((await notified('awaiting_approval')).body).toMatchObject({
      event: 'awaiting_approval',
      task: { id, approval: 'merge' },
    });
    expect(pr().merged).toBe(false);

    // A stranger's approval does nothing; a collaborator's merges.
    const comment = (login: string) => ({
      action: 'created',
      issue: { number: pr().number, title: 'x', user: { login: 'harness-bot' }, pull_request: { url: 'x' } },
      comment: { id: 7, body: '@harness approve', user: { login, type: 'User' } },
      repository,
      sender: { login, type: 'User' },
    });
    expect(await deliver('issue_comment', comment('mallory'))).toBe(200);
    expect(((await api(`/tasks/${id}`)) as TaskDetail).status).toBe('awaiting_approval');
    expect(await deliver('issue_comment', comment('ann'))).toBe(200);
    const done = await ended(id);
    expect(done).toMatchObject({ status: 'done', pull_request_loop: { merged: true } });
    expect(pr()).toMatchObject({ merged: true, mergeMethod: 'merge' });
  });
});
