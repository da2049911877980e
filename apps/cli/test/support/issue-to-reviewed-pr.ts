import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  realCodexArgs,
  realCodexEnv,
  startFakeGitHub,
  startFakeOpenAiServer,
  startHarnessServer,
  type FakeGitHub,
  type FakeModelServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import { expect } from 'vitest';

const toml = (value: unknown): string => JSON.stringify(value);

/** What the flow gives back to check: the finished task, GitHub as it was left, the reviewer's model. */
export interface ReviewedIssue {
  readonly task: TaskDetail | undefined;
  readonly github: FakeGitHub;
  readonly reviewerModel: FakeModelServer;
}

/**
 * Issue 42 of `octo/app` on the GitHub stand-in, made a task of `implementer` through a real
 * `harness serve`, reviewed by the real Codex (its model server approves): returns once the task
 * ended, the server stopped. `implementerConfig` is the implementer's TOML (its table and env).
 */
export async function issueToReviewedPr(options: {
  readonly cliPath: string;
  readonly home: TempDir;
  readonly repo: TempGitRepo;
  readonly codex: string;
  readonly implementer: string;
  readonly implementerConfig: readonly string[];
  /** Run with the finished task, before the stand-ins close. */
  readonly check: (result: ReviewedIssue) => void;
}): Promise<void> {
  const github = await startFakeGitHub({ token: 'ghp_real' });
  const approve =
    '```json\n' +
    JSON.stringify({ verdict: 'approve', summary: 'The change does what the issue asks.', issues: [] }) +
    '\n```';
  const openai = await startFakeOpenAiServer(() => ({ kind: 'message', text: approve }));
  let server: Awaited<ReturnType<typeof startHarnessServer>> | undefined;
  try {
    github.addIssue('octo/app', 42, { title: 'Parser rejects empty input', body: 'Make it accept empty input.' });
    const config = join(options.home.path, 'flow.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `data_dir = ${toml(join(options.home.path, 'data'))}`,
        '[github]',
        `api_url = ${toml(github.url)}`,
        '[agents.review]',
        'reviewer_agent = "codex"',
        ...options.implementerConfig,
        '[agents.codex]',
        `cli_path = ${toml(options.codex)}`,
        'default_model = "gpt-5.5"',
        `extra_args = ${toml(realCodexArgs(openai.url))}`,
        '[agents.codex.env]',
        ...Object.entries(realCodexEnv(options.home.path)).map(([k, v]) => `${k} = ${toml(v)}`),
        '[[projects]]',
        'name = "app"',
        `root = ${toml(options.repo.path)}`,
        'repo = "octo/app"',
        '',
      ].join('\n'),
    );
    server = await startHarnessServer({
      cliPath: options.cliPath,
      args: ['--config', config],
      home: options.home.path,
      env: { ...options.repo.gitEnv, GITHUB_TOKEN: 'ghp_real' },
      timeoutMs: 60_000,
    });
    const created = (await (
      await fetch(`${server.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ project: 'app', issue: 42, agent: options.implementer }),
      })
    ).json()) as CreateTaskResponse;
    let task: TaskDetail | undefined;
    for (let i = 0; i < 600; i++) {
      task = (await (await fetch(`${server.url}/tasks/${created.task_id}`)).json()) as typeof task;
      if (task !== undefined && ['done', 'failed'].includes(task.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await server.stop('SIGTERM', 15_000);
    server = undefined;
    options.check({ task, github, reviewerModel: openai });
  } finally {
    await server?.stop('SIGTERM', 15_000);
    await Promise.all([github.close(), openai.close()]);
  }
}

/** What every such flow must end with: done, reviewed and approved, one PR closing the issue, the file pushed. */
export function expectOneReviewedPr(
  { task, github, reviewerModel }: ReviewedIssue,
  repo: TempGitRepo,
  implementer: string,
): void {
  expect(task).toMatchObject({ status: 'done', error: null, agent_used: implementer, review_outcome: 'approved' });
  const prs = github.pullRequests('octo/app');
  expect(prs).toHaveLength(1);
  expect(prs[0]?.body).toContain('Closes #42');
  expect(prs[0]?.reviews[0]?.body).toContain('(codex): approved');
  const branch = task?.branch ?? expect.unreachable('the task has no branch');
  repo.git('fetch', '--quiet', 'origin', branch);
  expect(repo.git('show', `origin/${branch}:parser.txt`)).toBe('accepts empty input');
  // The reviewer's request carried the diff.
  expect(JSON.stringify(reviewerModel.requests[0]?.body)).toContain('accepts empty input');
}
