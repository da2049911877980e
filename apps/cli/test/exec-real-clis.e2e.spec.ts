import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  createTempGitRepo,
  fileWritingCodexModel,
  fileWritingModel,
  findRealAgentClis,
  processesInDirectory,
  realClaudeEnv,
  realCodexArgs,
  realCodexEnv,
  runHarness,
  startFakeAnthropicServer,
  startFakeOpenAiServer,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOneReviewedPr, issueToReviewedPr } from './support/issue-to-reviewed-pr.js';

// `harness exec` driving the real Claude Code and Codex, each pointed at a scripted local model
// server. In CI (HARNESS_REQUIRE_REAL_CLIS=1) missing CLIs fail these tests instead of skipping them.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const clis = findRealAgentClis();
const required = process.env['HARNESS_REQUIRE_REAL_CLIS'] === '1';
const describeReal = 'missing' in clis && !required ? describe.skip : describe;

const toml = (value: unknown): string => JSON.stringify(value);
const tomlTable = (env: Record<string, string>): string =>
  Object.entries(env)
    .map(([k, v]) => `${k} = ${toml(v)}`)
    .join('\n');

describeReal('harness exec with the real agent CLIs', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  beforeEach(async () => {
    if ('missing' in clis) throw new Error(`the real agent CLIs are required here: ${clis.missing}`);
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo();
  });
  afterEach(async () => {
    await home.cleanup();
    await repo.cleanup();
  });

  it('claude: a real edit, shown as it happens', async () => {
    if ('missing' in clis) return;
    const server = await startFakeAnthropicServer(fileWritingModel('hello.txt', 'hello from claude\n'));
    try {
      const config = join(home.path, 'h.toml');
      writeFileSync(
        config,
        `[agents.claude]\ncli_path = ${toml(clis.claude)}\n[agents.claude.env]\n${tomlTable(realClaudeEnv(server.url, home.path))}\n`,
      );
      const result = await runHarness({
        cliPath,
        args: ['exec', 'Create hello.txt', '--agent', 'claude', '--config', config],
        cwd: repo.path,
        home: home.path,
        timeoutMs: 120_000,
      });
      expect(result.stderr).toContain('→ Write hello.txt');
      expect(result.stderr).toContain('✎ add hello.txt');
      expect(result).toMatchObject({ code: 0, stdout: 'Done: I created hello.txt.\n' });
      expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hello from claude\n');
      expect(processesInDirectory(repo.path)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('codex: a real edit, shown as it happens', async () => {
    if ('missing' in clis) return;
    const server = await startFakeOpenAiServer(fileWritingCodexModel('hello.txt', 'hello from codex\n', 'shell'));
    try {
      const config = join(home.path, 'h.toml');
      writeFileSync(
        config,
        `[agents.codex]\ncli_path = ${toml(clis.codex)}\ndefault_model = "gpt-5.5"\nextra_args = ${toml(realCodexArgs(server.url))}\n[agents.codex.env]\n${tomlTable(realCodexEnv(home.path))}\n`,
      );
      const result = await runHarness({
        cliPath,
        args: ['exec', 'Create hello.txt', '--agent', 'codex', '--config', config],
        cwd: repo.path,
        home: home.path,
        timeoutMs: 120_000,
      });
      expect(result.stderr).toMatch(/→ shell \/bin\/bash -lc .*printf/);
      expect(result).toMatchObject({ code: 0, stdout: 'Done: I created hello.txt.\n' });
      expect(readFileSync(join(repo.path, 'hello.txt'), 'utf8')).toBe('hello from codex\n');
      expect(processesInDirectory(repo.path)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('issue → PR → review with the real Claude Code implementing and the real Codex reviewing', async () => {
    if ('missing' in clis) return;
    const repo2 = await createTempGitRepo({ withOrigin: true });
    const anthropic = await startFakeAnthropicServer(fileWritingModel('parser.txt', 'accepts empty input\n'));
    try {
      await issueToReviewedPr({
        cliPath,
        home,
        repo: repo2,
        codex: clis.codex,
        implementer: 'claude',
        implementerConfig: [
          '[agents.claude]',
          `cli_path = ${toml(clis.claude)}`,
          '[agents.claude.env]',
          tomlTable(realClaudeEnv(anthropic.url, home.path)),
        ],
        check: (flow) => {
          expectOneReviewedPr(flow, repo2, 'claude');
          // The implementer's request carried the issue.
          expect(JSON.stringify(anthropic.requests[0]?.body)).toContain('Parser rejects empty input');
        },
      });
    } finally {
      await Promise.all([anthropic.close(), repo2.cleanup()]);
    }
  });
});
