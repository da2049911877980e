import { join } from 'node:path';
import { AgentRegistry } from '@agent-harness/agents';
import { ReviewActions, ReviewService } from '@agent-harness/app';
import { resolveConfig, secretValues, SecretRedactor } from '@agent-harness/core';
import { GitHubClient } from '@agent-harness/github';
import { TypeOrmReviewStore } from '@agent-harness/persistence';
import {
  FAKE_AGENT_BIN_DIR,
  ScriptedAgentRunner,
  createTempDataDir,
  createTempGitRepo,
  startFakeGitHub,
  type AgentScript,
  type FakeGitHub,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { GitWorktreeManager, ReviewGit } from '@agent-harness/workspace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

// `[review] act` on real parts: SQLite, a git repository, the task engine's admission and the
// GitHub stand-in; only the reviewing agent is scripted.
const TOKEN = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
const answer = (findings: object[]): string =>
  `Read it.\nREVIEW_JSON_START\n${JSON.stringify({ summary: 'Reviewed.', findings })}\nREVIEW_JSON_END`;
const finding = (title: string, severity: string, extra: object = {}): object => ({
  severity,
  title,
  file: 'src/app.ts',
  line: 1,
  description: `${title}: what is wrong`,
  ...extra,
});
const says = (findings: object[]): AgentScript => ({ outcome: { finalText: answer(findings) } });
const MIXED = [
  finding('Medium thing', 'medium'),
  finding('SQL injection in the query', 'critical'),
  finding('Unchecked input', 'high'),
  finding('Naming', 'low'),
];

describe('ReviewService with [review] act (real git, SQLite, engine and GitHub stand-in)', () => {
  let data: TempDir;
  let repo: TempGitRepo;
  let github: FakeGitHub;
  let harness: Harness | undefined;
  let runs = 0;

  beforeEach(async () => {
    runs = 0;
    data = await createTempDataDir();
    repo = await createTempGitRepo({ files: { 'src/app.ts': 'export const x = 1;\n' } });
    github = await startFakeGitHub({ token: TOKEN });
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await github.close();
    await data.cleanup();
    await repo.cleanup();
  });

  /** A Harness with the project (repository octo/app unless `repoName` is null) and a ReviewService acting as the runtime wires it. */
  async function setUp(review: string[], scripts: AgentScript[], options: { token?: boolean; repoName?: null } = {}) {
    const toml = [
      '[server]',
      `data_dir = ${JSON.stringify(data.path)}`,
      '[github]',
      `api_url = ${JSON.stringify(github.url)}`,
      'pace_writes = false',
      // Installed, so the engine admits the fix task (it is never started here).
      '[agents.claude]',
      `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
      '[review]',
      ...review,
      '[[projects]]',
      'name = "app"',
      `root = ${JSON.stringify(repo.path)}`,
      ...(options.repoName === null ? [] : ['repo = "octo/app"']),
    ].join('\n');
    const secretEnv = options.token === false ? {} : { GITHUB_TOKEN: TOKEN };
    const config = resolveConfig({
      file: { path: join(data.path, 'h.toml'), text: toml },
      env: secretEnv,
      homeDir: data.path,
      cwd: data.path,
    });
    if (!config.ok) throw config.error;
    const env = { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv, ...secretEnv };
    const built = await createHarness(config.value, { env, homeDir: data.path });
    harness = built;
    await built.syncProjects();
    const claude = new ScriptedAgentRunner('claude', scripts);
    const agents = new AgentRegistry(
      [claude],
      (r) => ({ name: r.name, available: true, detail: '' }),
      config.value.agents,
    );
    // As the runtime: the redactor of everything posted, built from the server's secrets.
    const redactor = new SecretRedactor(secretValues(env, [config.value.github.token]));
    const redact = (text: string): string => redactor.text(text);
    const token = config.value.github.token;
    const reviews = new ReviewService({
      config: config.value,
      projects: built.projects,
      agents,
      store: new TypeOrmReviewStore(built.database.dataSource),
      events: built.events,
      telemetry: built.telemetry,
      rules: built.rules,
      git: new ReviewGit(env),
      redact,
      actions: new ReviewActions({
        settings: config.value.review,
        github:
          token === undefined
            ? undefined
            : new GitHubClient({ apiUrl: config.value.github.api_url, token, paceWrites: false }),
        originUrl: (root) =>
          new GitWorktreeManager({ worktreesDir: join(data.path, 'worktrees'), env }).originUrl(root),
        engine: built.engine,
        tasks: built.tasks,
        redact,
      }),
      newId: () => `run-${String((runs += 1))}`,
    });
    return { built, reviews };
  }

  const issueRequests = () => github.requests.filter((r) => r.method === 'POST' && r.path === '/repos/octo/app/issues');

  it('issues: one labelled, marked issue per finding at high or worse; the next review files none of them again; at most 10 per review', async () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      finding(`Problem ${String(i)}`, 'high', { file: `src/f${String(i)}.ts` }),
    );
    const { reviews } = await setUp(['act = "issues"'], [says(MIXED), says(MIXED), says([...MIXED, ...many])]);
    // Someone else's issue with the label, quoting a marker mid-text: it hides nothing.
    github.addIssue('octo/app', 7, {
      title: 'Discussion',
      labels: ['harness-review'],
      body: 'see <!-- harness-review-finding: 00000000000000000000000000000000 -->',
    });

    const first = await reviews.run('app');
    expect(first).toMatchObject({
      status: 'done',
      findings: 4,
      acted: { act: 'issues', qualifying: 2, filed: [1000, 1001], alreadyFiled: 0, left: 0 },
    });
    const filed = github.issues('octo/app').filter((i) => i.number !== 7);
    expect(filed.map((i) => [i.number, i.title, i.labels, i.author])).toEqual([
      [1000, '[critical] SQL injection in the query', ['harness-review'], 'harness-bot'],
      [1001, '[high] Unchecked input', ['harness-review'], 'harness-bot'],
    ]);
    for (const issue of filed) expect(issue.body).toMatch(/^<!-- harness-review-finding: [0-9a-f]{32} -->\n/);
    expect(filed[0]?.body).toContain('SQL injection in the query: what is wrong');
    // Harness chooses the labels and never assigns anyone.
    expect(issueRequests().map((r) => Object.keys(r.body as object).sort())).toEqual([
      ['body', 'labels', 'title'],
      ['body', 'labels', 'title'],
    ]);
    const stored = await reviews.get('run-1');
    expect(stored?.note).toBe(
      'act=issues: 2 finding(s) high or worse: 2 issue(s) filed in octo/app (#1000, #1001), 0 already open',
    );

    // The same findings after a new commit: both are open already.
    repo.commitFile('src/b.ts', 'export const y = 2;\n', 'more');
    const second = await reviews.run('app');
    expect(second).toMatchObject({ status: 'done', acted: { filed: [], alreadyFiled: 2, left: 0 } });
    expect(issueRequests()).toHaveLength(2);
    expect((await reviews.get('run-2'))?.note).toMatch(/0 issue\(s\) filed in octo\/app, 2 already open$/);

    // Twelve new findings: ten filed, two left for the next review.
    repo.commitFile('src/c.ts', 'export const z = 3;\n', 'even more');
    const third = await reviews.run('app');
    expect(third).toMatchObject({ acted: { qualifying: 14, alreadyFiled: 2, left: 2 } });
    expect(third.status === 'done' && third.acted?.filed).toHaveLength(10);
    expect(issueRequests()).toHaveLength(12);
    expect((await reviews.get('run-3'))?.note).toContain('2 left for the next review (at most 10 per review)');
  });

  it('pr: one fix task through the engine whose prompt names the qualifying findings; none while it is unfinished', async () => {
    const { built, reviews } = await setUp(
      ['act = "pr"'],
      [says(MIXED), says(MIXED), says([finding('Naming', 'low')])],
    );
    const first = await reviews.run('app');
    const taskId = first.status === 'done' ? first.acted?.taskId : undefined;
    expect(first).toMatchObject({ acted: { act: 'pr', qualifying: 2, taskId: expect.any(String) as string } });
    const task = await built.tasks.get(taskId ?? '');
    expect(task).toMatchObject({
      project: 'app',
      kind: 'prompt',
      status: 'queued',
      description: 'fix: periodic review findings',
    });
    expect(task?.prompt).toMatch(/^Fix what the periodic whole-repo review of the project "app" found/);
    expect(task?.prompt).toContain('1. [critical] SQL injection in the query (src/app.ts:1)');
    expect(task?.prompt).toContain('2. [high] Unchecked input (src/app.ts:1)');
    expect(task?.prompt).not.toContain('Medium thing');
    expect(task?.prompt).not.toContain('Naming');
    expect((await reviews.get('run-1'))?.note).toBe(
      `act=pr: 2 finding(s) high or worse: fix task ${taskId ?? ''} queued`,
    );

    repo.commitFile('src/b.ts', 'export const y = 2;\n', 'more');
    const second = await reviews.run('app');
    expect(second).toMatchObject({ acted: { taskId } });
    expect((await reviews.get('run-2'))?.note).toMatch(/of an earlier review is still queued, so no new one$/);

    // Once it ended, the next review may queue another; here no finding qualifies, so none is.
    await built.engine.cancel(taskId ?? '');
    repo.commitFile('src/c.ts', 'export const z = 3;\n', 'even more');
    const third = await reviews.run('app');
    expect(third).toMatchObject({ acted: { qualifying: 0 } });
    expect(third.status === 'done' && third.acted?.taskId).toBeUndefined();
    expect((await built.tasks.list({ limit: 10, offset: 0 })).total).toBe(1);
    expect(github.requests).toEqual([]);
  });

  it('none (the default): findings are stored, nothing is filed or queued', async () => {
    const { built, reviews } = await setUp([], [says(MIXED)]);
    const outcome = await reviews.run('app');
    expect(outcome).toMatchObject({ status: 'done', findings: 4 });
    expect(outcome.status === 'done' && outcome.acted).toBeUndefined();
    expect((await reviews.get('run-1'))?.note).toBeUndefined();
    expect((await built.tasks.list({ limit: 10, offset: 0 })).total).toBe(0);
    expect(github.requests).toEqual([]);
  });

  it('issues without a GitHub token, or without a repository: said in the note, nothing filed, the review done', async () => {
    const { reviews } = await setUp(['act = "issues"'], [says(MIXED)], { token: false });
    const outcome = await reviews.run('app');
    expect(outcome).toMatchObject({
      status: 'done',
      acted: { filed: [], problem: 'no GitHub token on this server (set GITHUB_TOKEN)' },
    });
    expect((await reviews.get('run-1'))?.note).toBe(
      'act=issues: 2 finding(s) high or worse: no issue filed: no GitHub token on this server (set GITHUB_TOKEN)',
    );
    await harness?.close();
    harness = undefined;

    // A token, but the project has neither `repo` nor an origin remote on GitHub.
    const other = await setUp(['act = "issues"'], [says(MIXED)], { repoName: null });
    const outcome2 = await other.reviews.run('app', { force: true });
    expect(outcome2).toMatchObject({ runId: 'run-2' });
    expect(outcome2).toMatchObject({ status: 'done', acted: { filed: [] } });
    expect(outcome2.status === 'done' && outcome2.acted?.problem).toMatch(/^project app has no GitHub repository/);
    expect(github.requests).toEqual([]);
  });

  it('a hostile finding is stripped, cut and redacted before it is filed', async () => {
    const hostile = finding(`Leak\u0007 of ${TOKEN}\u202e ${'t'.repeat(500)}`, 'critical', {
      description: `${'\u0000\u001b[31m'.repeat(3)}token ${TOKEN} @org/team ${'d'.repeat(50_000)}`,
      suggestion: `\`\`\`\nrotate ${TOKEN}\n${'s'.repeat(50_000)}`,
    });
    const { reviews } = await setUp(['act = "issues"'], [says([hostile])]);
    const outcome = await reviews.run('app');
    expect(outcome).toMatchObject({ status: 'done', acted: { filed: [1000] } });
    const issue = github.issue('octo/app', 1000);
    expect(issue?.title.length).toBeLessThanOrEqual(256);
    expect(issue?.title).toMatch(/^\[critical\] Leak of \[REDACTED\] t+…$/);
    expect(issue?.body.length).toBeLessThanOrEqual(60_000);
    expect(JSON.stringify(github.requests.map((r) => r.body))).not.toContain(TOKEN.slice(4));
    // eslint-disable-next-line no-control-regex -- no control character may be left
    expect(issue?.body).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(issue?.body).toContain('token [REDACTED] @org/team');
    expect(issue?.labels).toEqual(['harness-review']);
  });
});
