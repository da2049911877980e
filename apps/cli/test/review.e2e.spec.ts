import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReviewListResponse } from '@agent-harness/core';
import {
  createTempDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  killStartedHarnessProcesses,
  readFakeAgentLog,
  runHarness,
  sandboxAllowWriteToml,
  startHarnessServer,
  type FakeAgentScenario,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// The periodic review as a user drives it: `harness review run` reviews the project with a
// scripted read-only Claude Code (and, cross, a scripted Codex), `harness review list` and
// `GET /api/reviews` on a real server show the stored findings.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');
const TOKEN = 'review-e2e-token-0123456789';

const review = (summary: string, findings: object[]): string =>
  `Reviewed.\nREVIEW_JSON_START\n${JSON.stringify({ summary, findings })}\nREVIEW_JSON_END`;
const UNCHECKED = {
  id: 'R1',
  severity: 'high',
  title: 'Unchecked path',
  file: 'src/app.ts',
  line: 1,
  description: 'The path is joined without a check.',
  suggestion: 'Confine it.',
};
const LONG_FUNCTION = { severity: 'low', title: 'Long function', description: 'Split it.' };

describe('harness review (built CLI, scripted agents, real server)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ files: { 'README.md': '# app\n', 'src/app.ts': 'export const x = 1;\n' } });
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    await Promise.all([home.cleanup(), repo.cleanup()]);
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const file = (name: string) => join(home.path, name);
  const agentEnv = (tool: string, scenario: FakeAgentScenario): string[] => [
    `FAKE_AGENT_SCENARIO = ${JSON.stringify(JSON.stringify(scenario))}`,
    `FAKE_AGENT_LOG = ${JSON.stringify(file(`${tool}.jsonl`))}`,
    `FAKE_AGENT_COUNTER = ${JSON.stringify(file(`${tool}.count`))}`,
  ];

  function configure(review: string[], claude: FakeAgentScenario, codex: FakeAgentScenario = {}): void {
    rmSync(file('claude.count'), { force: true });
    rmSync(file('codex.count'), { force: true });
    writeFileSync(
      file('harness.toml'),
      [
        '[server]',
        `data_dir = ${JSON.stringify(file('data'))}`,
        // The server only serves here: no scheduler reviews behind the test's back.
        '[schedulers]',
        'enabled = false',
        '[review]',
        ...review,
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        '[agents.claude.env]',
        ...agentEnv('claude', claude),
        '[agents.codex]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`,
        '[agents.codex.env]',
        ...agentEnv('codex', codex),
        sandboxAllowWriteToml(home.path),
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        '',
      ].join('\n'),
    );
  }

  const harness = (args: string[]) =>
    runHarness({
      cliPath,
      args: [...args, '--config', file('harness.toml')],
      home: home.path,
      cwd: home.path,
      env: { ...repo.gitEnv },
      timeoutMs: 60_000,
    });

  it('reviews read-only, skips an unchanged head, lists the findings, and the API serves the same', async () => {
    configure(['agent = "claude"'], { text: review('Mostly sound.', [UNCHECKED, LONG_FUNCTION]), cost: 0.2 });
    const head = repo.git('rev-parse', 'HEAD');

    const run = await harness(['review', 'run']);
    expect(run.stderr).toContain(`review: reviewing app at ${head.slice(0, 12)}`);
    expect(run.stdout).toMatch(
      new RegExp(`^review \\S+ of app at ${head.slice(0, 12)}: 2 finding\\(s\\) \\(single: claude\\)\\n$`),
    );
    expect(run.code).toBe(0);
    const [call, ...more] = readFakeAgentLog(file('claude.jsonl'));
    expect(more).toEqual([]);
    // A detached worktree of the head in the data dir, never the user's checkout.
    expect(call?.cwd).toMatch(new RegExp(`^${file(join('data', 'review-worktrees'))}/[0-9a-f-]{36}$`));
    expect(existsSync(call?.cwd ?? '')).toBe(false);
    expect(call?.argv).toEqual(expect.arrayContaining(['--allowedTools', 'Read,Grep,Glob']));
    expect(call?.prompt).toContain('REVIEW_JSON_START');
    expect(call?.prompt).toContain(`at commit "${head}"`);
    // The checkout is untouched by a read-only review.
    expect(repo.git('status', '--porcelain')).toBe('');

    const again = await harness(['review', 'run', 'app']);
    expect(again.stdout).toContain('skipped: nothing committed to app since its last review');
    expect(again.code).toBe(0);
    expect(readFakeAgentLog(file('claude.jsonl'))).toHaveLength(1);

    const listed = await harness(['review', 'list', '--json']);
    expect(listed.code).toBe(0);
    const list = JSON.parse(listed.stdout) as ReviewListResponse;
    expect(list.reviews).toHaveLength(1);
    expect(list.reviews[0]).toMatchObject({
      project: 'app',
      head,
      previous_head: null,
      strategy: 'single',
      agents: ['claude'],
      status: 'done',
      summary: 'Mostly sound.',
      cost_usd: 0.2,
      error: null,
    });
    expect(list.reviews[0]?.findings).toEqual([
      {
        id: 'R1',
        severity: 'high',
        title: 'Unchecked path',
        file: 'src/app.ts',
        line: 1,
        description: 'The path is joined without a check.',
        suggestion: 'Confine it.',
      },
      {
        id: expect.stringMatching(/^F-[0-9a-f]{16}$/) as unknown,
        severity: 'low',
        title: 'Long function',
        file: null,
        line: null,
        description: 'Split it.',
        suggestion: null,
      },
    ]);
    const human = await harness(['review', 'list', 'app']);
    expect(human.stdout).toContain('  [high] Unchecked path (src/app.ts:1)\n  [low] Long function\n');

    server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      cwd: home.path,
      env: { ...repo.gitEnv, HARNESS_API_TOKEN: TOKEN },
    });
    const response = await fetch(`${server.url}/api/reviews?project=app&limit=5`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(list);
    expect((await fetch(`${server.url}/api/reviews`)).status).toBe(401);
    const bad = await fetch(`${server.url}/api/reviews?limit=0`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
  });

  it('cross: Claude and Codex review, Claude merges; an unreadable answer is a failed run (exit 1), never "no findings"', async () => {
    configure(
      ['strategy = "cross"', 'agent = "claude"'],
      {
        runs: [
          { text: review('Claude.', [UNCHECKED]) },
          { text: review('Merged.', [UNCHECKED, LONG_FUNCTION]) },
          { text: 'All good, nothing to report!' },
        ],
      },
      { text: review('Codex.', [LONG_FUNCTION]) },
    );
    const run = await harness(['review', 'run', 'app', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'done',
      findings: 2,
      strategy: 'cross',
      agents: ['claude', 'codex'],
    });
    const claude = readFakeAgentLog(file('claude.jsonl'));
    const codex = readFakeAgentLog(file('codex.jsonl'));
    expect(claude).toHaveLength(2);
    expect(codex).toHaveLength(1);
    // Read-only is the OS sandbox's to enforce: inside it, Codex's own (nested bubblewrap) is off.
    expect(codex[0]?.argv).toEqual(expect.arrayContaining(['--dangerously-bypass-approvals-and-sandbox']));
    expect(claude[1]?.prompt).toContain('2 reviewers reviewed the project "app"');
    expect(claude[1]?.prompt).toContain('Codex.');

    // A forced review whose answer has no review block: stored as failed, with the reason.
    const failed = await harness(['review', 'run', 'app', '--force', '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', findings: 0 });
    const list = JSON.parse((await harness(['review', 'list', 'app', '--json'])).stdout) as ReviewListResponse;
    expect(list.reviews.map((r) => [r.status, r.findings.length])).toEqual([
      ['failed', 0],
      ['done', 2],
    ]);
    expect(list.reviews[0]?.error).toMatch(/^claude: no review found/);
  });

  it('refuses a bad --limit before anything runs (exit 2)', async () => {
    configure([], {});
    const result = await harness(['review', 'list', '--limit', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--limit must be a whole number from 1 to 100');
  });
});
