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
  realOpenCodeEnv,
  runHarness,
  startFakeAnthropicServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOneReviewedPr, issueToReviewedPr } from './support/issue-to-reviewed-pr.js';

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
    const anthropic = await startFakeAnthropicServer(fileWritingModel('parser.txt', 'accepts empty input\n'));
    try {
      await issueToReviewedPr({
        cliPath,
        home,
        repo,
        codex: clis.codex,
        implementer: 'opencode',
        implementerConfig: [
          '[agents.opencode]',
          `command = [${toml(acp.opencode)}, "acp"]`,
          '[agents.opencode.env]',
          tomlTable(realOpenCodeEnv(anthropic.url, home.path)),
        ],
        check: (flow) => {
          expectOneReviewedPr(flow, repo, 'opencode');
          // OpenCode's requests carried the issue.
          expect(JSON.stringify(anthropic.requests.map((r) => r.body))).toContain('Parser rejects empty input');
        },
      });
    } finally {
      await anthropic.close();
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
