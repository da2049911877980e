import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  fileWritingModel,
  findRealAcpAgents,
  findRealAgentClis,
  processesInDirectory,
  realClaudeEnv,
  realCodexArgs,
  realCodexEnv,
  realOpenCodeEnv,
  runHarness,
  startFakeAnthropicServer,
  startFakeGitHub,
  startFakeOpenAiServer,
  startHarnessServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Agents over the Agent Client Protocol, end to end as a user drives them: the real OpenCode
// implementing an issue that the real Codex reviews, and a custom ACP agent from the config file
// (Claude Code through claude-code-acp) running a prompt. Each is pointed at a scripted local model
// server. In CI (HARNESS_REQUIRE_REAL_CLIS=1) a missing agent fails these tests instead of skipping them.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const acp = findRealAcpAgents();
const clis = findRealAgentClis();
const required = process.env['HARNESS_REQUIRE_REAL_CLIS'] === '1';
const describeReal = ('missing' in acp || 'missing' in clis) && !required ? describe.skip : describe;

const toml = (value: unknown): string => JSON.stringify(value);
const tomlTable = (env: Record<string, string>): string =>
  Object.entries(env)
    .map(([k, v]) => `${k} = ${toml(v)}`)
    .join('\n');

describeReal('ACP agents end to end with the real CLIs', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  beforeEach(async () => {
    if ('missing' in acp) throw new Error(`the real ACP agents are required here: ${acp.missing}`);
    if ('missing' in clis) throw new Error(`the real agent CLIs are required here: ${clis.missing}`);
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await home.cleanup();
    await repo.cleanup();
  });

  it('issue → PR → review: the real OpenCode implements, the real Codex reviews, one reviewed PR', async () => {
    if ('missing' in acp || 'missing' in clis) return;
    const github = await startFakeGitHub({ token: 'ghp_real' });
    const anthropic = await startFakeAnthropicServer(fileWritingModel('parser.txt', 'accepts empty input\n'));
    const approve =
      '```json\n' +
      JSON.stringify({ verdict: 'approve', summary: 'The change does what the issue asks.', issues: [] }) +
      '\n```';
    const openai = await startFakeOpenAiServer(() => ({ kind: 'message', text: approve }));
    let server: Awaited<ReturnType<typeof startHarnessServer>> | undefined;
    try {
      github.addIssue('octo/app', 42, { title: 'Parser rejects empty input', body: 'Make it accept empty input.' });
      const config = join(home.path, 'flow.toml');
      writeFileSync(
        config,
        [
          '[server]',
          `data_dir = ${toml(join(home.path, 'data'))}`,
          '[github]',
          `api_url = ${toml(github.url)}`,
          '[agents.review]',
          'reviewer_agent = "codex"',
          '[agents.opencode]',
          `command = [${toml(acp.opencode)}, "acp"]`,
          '[agents.opencode.env]',
          tomlTable(realOpenCodeEnv(anthropic.url, home.path)),
          '[agents.codex]',
          `cli_path = ${toml(clis.codex)}`,
          'default_model = "gpt-5.5"',
          `extra_args = ${toml(realCodexArgs(openai.url))}`,
          '[agents.codex.env]',
          tomlTable(realCodexEnv(home.path)),
          '[[projects]]',
          'name = "app"',
          `root = ${toml(repo.path)}`,
          'repo = "octo/app"',
          '',
        ].join('\n'),
      );
      server = await startHarnessServer({
        cliPath,
        args: ['--config', config],
        home: home.path,
        env: { ...repo.gitEnv, GITHUB_TOKEN: 'ghp_real' },
        timeoutMs: 60_000,
      });
      const created = (await (
        await fetch(`${server.url}/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ project: 'app', issue: 42, agent: 'opencode' }),
        })
      ).json()) as CreateTaskResponse;
      let task: TaskDetail | undefined;
      for (let i = 0; i < 600; i++) {
        task = (await (await fetch(`${server.url}/tasks/${created.task_id}`)).json()) as typeof task;
        if (task !== undefined && ['done', 'failed'].includes(task.status)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(task).toMatchObject({ status: 'done', error: null, agent_used: 'opencode', review_outcome: 'approved' });
      const prs = github.pullRequests('octo/app');
      expect(prs).toHaveLength(1);
      expect(prs[0]?.body).toContain('Closes #42');
      expect(prs[0]?.reviews[0]?.body).toContain('(codex): approved');
      const branch = task?.branch ?? expect.unreachable('the task has no branch');
      repo.git('fetch', '--quiet', 'origin', branch);
      expect(repo.git('show', `origin/${branch}:parser.txt`)).toBe('accepts empty input');
      // OpenCode's requests carried the issue; the reviewer's carried the diff.
      expect(JSON.stringify(anthropic.requests.map((r) => r.body))).toContain('Parser rejects empty input');
      expect(JSON.stringify(openai.requests[0]?.body)).toContain('accepts empty input');
    } finally {
      await server?.stop('SIGTERM', 15_000);
      await Promise.all([github.close(), anthropic.close(), openai.close()]);
    }
  });

  it('a custom ACP agent from the config file runs a prompt, shown as it happens', async () => {
    if ('missing' in acp) return;
    const anthropic = await startFakeAnthropicServer(fileWritingModel('hello.txt', 'hello over ACP\n'));
    try {
      const config = join(home.path, 'h.toml');
      writeFileSync(
        config,
        [
          '[agents.custom.claude-acp]',
          'protocol = "acp"',
          `command = [${toml(acp.claudeCodeAcp)}]`,
          'title = "Claude Code over ACP"',
          'home_state = [".claude", ".claude.json"]',
          '[agents.custom.claude-acp.env]',
          tomlTable(realClaudeEnv(anthropic.url, home.path)),
          '',
        ].join('\n'),
      );
      const result = await runHarness({
        cliPath,
        args: ['exec', 'Create hello.txt', '--agent', 'claude-acp', '--config', config],
        cwd: repo.path,
        home: home.path,
        timeoutMs: 120_000,
      });
      expect(result.stderr).toContain('hello.txt');
      expect(result).toMatchObject({ code: 0, stdout: 'Done: I created hello.txt.\n' });
      expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hello over ACP\n');
      expect(processesInDirectory(repo.path)).toEqual([]);
    } finally {
      await anthropic.close();
    }
  });
});
