import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateTaskResponse, TaskDetail } from '@agent-harness/core';
import type { Draft } from '@agent-harness/gc';
import type { NewTelemetryEvent } from '@agent-harness/observe';
import { openDatabase, TypeOrmEventStore } from '@agent-harness/persistence';
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
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

// The learning loop's second half end to end, as a user drives it: `harness gc run` finds the six
// signals in seeded telemetry and a scripted read-only agent drafts fixes within the budgets;
// `harness gc adopt` turns one into exactly one reviewed PR; `harness learn rules|skills` keeps
// what it learns across restarts, and both take effect.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

const GUARD = [
  'Warnings about missing tests repeat in this project; a guard makes them visible before review.',
  '',
  '```sh .harness/guards/no-todo.sh',
  '#!/bin/sh',
  '# Flags TODO markers left in src/.',
  'grep -rn "TODO" "$1/src" 2>/dev/null | while IFS=: read -r f l _; do echo "$f:$l:GC-TODO:a TODO is left"; done',
  'exit 0',
  '```',
  '',
  'And an escape attempt the parser must refuse:',
  '',
  '```sh ../outside.sh',
  'echo pwned',
  '```',
].join('\n');
const APPROVE = `Reviewed.\n\`\`\`json\n${JSON.stringify({ verdict: 'approve', summary: 'The guard is sound.', issues: [] })}\n\`\`\``;

let t = 0;
/** Events in order, one second apart (ids grow with them). */
const at = (event: Omit<NewTelemetryEvent, 'ts'>): NewTelemetryEvent => ({
  ts: new Date(Date.UTC(2026, 10, 20) + (t += 1000)).toISOString(),
  ...event,
});

/** Telemetry in which each of the six signals crosses its default threshold. */
function sixSignals(project: string): NewTelemetryEvent[] {
  const times = (n: number, e: Omit<NewTelemetryEvent, 'ts'>) => Array.from({ length: n }, () => at(e));
  return [
    // linter_violations: one rule 5 times.
    ...times(5, {
      hook: 'rule_check',
      decision: 'warn',
      severity: 'medium',
      tool: 'TS-03',
      detail: 'src/log.ts:3',
      project,
    }),
    // hot_files: one file edited 20 times.
    ...times(20, { hook: 'file_edit', decision: 'pass', tool: 'update', detail: 'src/parser.ts', project }),
    // slow_sessions: 10 operations over 5 s.
    ...times(10, { hook: 'validation', decision: 'pass', tool: 'npm test', durationMs: 9000, project }),
    ...times(20, { hook: 'validation', decision: 'pass', tool: 'npm run lint', durationMs: 300, project }),
    // chronic_block: 5 failed tasks.
    ...times(5, { hook: 'task_failed', decision: 'block', reason: 'validation_failed', project }),
    // repeated_warn: the same warning 10 times; with 10 other warnings the later half warns far more (warn_escalation).
    ...times(10, { hook: 'review_round', decision: 'warn', reason: 'missing tests', detail: '1', project }),
    ...Array.from({ length: 10 }, (_, i) =>
      at({ hook: 'review_round', decision: 'warn', reason: `style nit ${String(i)}`, detail: '1', project }),
    ),
  ];
}

describe('GC, adoption and learning (built CLI, GitHub stand-in, scripted agents)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let github: FakeGitHub;
  let server: HarnessServerProcess | undefined;

  beforeEach(async () => {
    home = await createTempDir('harness-home-');
    repo = await createTempGitRepo({ withOrigin: true });
    github = await startFakeGitHub({ token: 'ghp_e2e_token' });
  });
  afterEach(async () => {
    await server?.stop('SIGTERM', 15_000);
    server = undefined;
    await github.close();
    await Promise.all([home.cleanup(), repo.cleanup()]);
  });
  afterAll(() => {
    killStartedHarnessProcesses();
  });

  const file = (name: string) => join(home.path, name);
  const dataDir = () => file('data');
  const tomlEnv = (env: Record<string, string>) =>
    Object.entries(env)
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
      .join('\n');

  /** The configuration, with what the scripted Claude Code (GC, learning, implementer) and Codex (reviewer) do. */
  function configure(claude: FakeAgentScenario, gc: string[] = [], reviewer: FakeAgentScenario = { text: APPROVE }) {
    // A new script starts at its first run.
    rmSync(file('claude.count'), { force: true });
    rmSync(file('codex.count'), { force: true });
    writeFileSync(
      file('harness.toml'),
      [
        '[server]',
        `data_dir = ${JSON.stringify(dataDir())}`,
        '[github]',
        `api_url = ${JSON.stringify(github.url)}`,
        '[gc]',
        ...gc,
        '[agents.review]',
        'reviewer_agent = "codex"',
        '[agents.claude]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
        '[agents.claude.env]',
        tomlEnv({
          FAKE_AGENT_SCENARIO: JSON.stringify(claude),
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
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        'repo = "octo/app"',
        '',
      ].join('\n'),
    );
  }

  const harness = (args: string[], timeoutMs = 60_000) =>
    runHarness({
      cliPath,
      args: [...args, '--config', file('harness.toml')],
      home: home.path,
      cwd: home.path,
      env: { ...repo.gitEnv, GITHUB_TOKEN: 'ghp_e2e_token' },
      timeoutMs,
    });

  async function seed(events: NewTelemetryEvent[]): Promise<void> {
    mkdirSync(dataDir(), { recursive: true });
    const database = await openDatabase({ file: join(dataDir(), 'harness.db') });
    try {
      await new TypeOrmEventStore(database.dataSource).append(events);
    } finally {
      await database.close();
    }
  }

  const draftFiles = (): Draft[] =>
    readdirSync(join(dataDir(), 'drafts'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(join(dataDir(), 'drafts', name), 'utf8')) as Draft);

  it('finds all six signals, drafts within budget, and an adopted draft becomes exactly one reviewed PR; the checkout is untouched', async () => {
    configure({ text: GUARD, cost: 0.1 }, ['max_drafts_per_run = 6']);
    await seed(sixSignals('app'));

    const run = await harness(['gc', 'run', 'app', '--json']);
    expect(run.stderr).toContain('gc: drafting a fix for');
    const report = JSON.parse(run.stdout) as {
      signals: { type: string; key: string }[];
      drafts: Draft[];
      spentUsd: number;
      errors: string[];
      problems: string[];
    };
    expect(report.signals.map((s) => s.type).sort()).toEqual(
      ['chronic_block', 'hot_files', 'linter_violations', 'repeated_warn', 'slow_sessions', 'warn_escalation'].sort(),
    );
    expect(report.drafts).toHaveLength(6);
    expect(report.spentUsd).toBeCloseTo(0.6);
    // The escape attempt was refused, never stored; the run says so.
    expect(report.problems.some((p) => p.includes('../outside.sh'))).toBe(true);
    expect(report.errors).toEqual([]);
    expect(run.code).toBe(0);

    // On disk: one JSON file per draft, pending, with the confined artifact only.
    const onDisk = draftFiles();
    expect(onDisk).toHaveLength(6);
    for (const draft of onDisk) {
      expect(draft).toMatchObject({ status: 'pending', project: 'app', agent: 'claude', costUsd: 0.1 });
      expect(draft.artifacts).toEqual([expect.objectContaining({ kind: 'guard', path: '.harness/guards/no-todo.sh' })]);
    }
    // Each draft run was read-only and capped.
    const calls = readFakeAgentLog(file('claude.jsonl'));
    expect(calls).toHaveLength(6);
    for (const call of calls) {
      expect(call.argv).toEqual(
        expect.arrayContaining(['--max-budget-usd', '0.5', '--allowedTools', 'Read,Grep,Glob']),
      );
      expect(call.cwd).toBe(repo.path);
    }

    const listed = await harness(['gc', 'drafts']);
    expect(listed.code).toBe(0);
    for (const draft of onDisk) expect(listed.stdout).toContain(draft.id);
    expect((await harness(['gc', 'status'])).stdout).toContain('6 pending');

    // A second run right after: nothing new since its checkpoint, nothing spent.
    const again = JSON.parse((await harness(['gc', 'run', 'app', '--json'])).stdout) as { signals: unknown[] };
    expect(again.signals).toEqual([]);
    expect(readFakeAgentLog(file('claude.jsonl'))).toHaveLength(6);

    // Adopt one (by its short id): a normal task on harness/gc-<id>, validated, pushed, PR, reviewed.
    const chosen =
      onDisk.find((d) => d.signal.type === 'repeated_warn') ?? expect.unreachable('no repeated_warn draft');
    configure({ text: 'The guard fits the project.' }, ['max_drafts_per_run = 6']);
    const adopt = await harness(['gc', 'adopt', chosen.id.slice(0, 8), '--json'], 90_000);
    expect(adopt.stderr).toContain(`draft ${chosen.id} adopted`);
    expect(adopt.code).toBe(0);
    const adopted = JSON.parse(adopt.stdout) as { status: string; pr_url: string; branch: string; task_id: string };
    expect(adopted).toMatchObject({ status: 'done', branch: `harness/gc-${chosen.id.slice(0, 8)}` });
    const prs = github.pullRequests('octo/app');
    expect(prs).toHaveLength(1);
    expect(prs[0]).toMatchObject({ head: adopted.branch, base: 'main' });
    expect(prs[0]?.reviews.map((r) => r.body.split('\n')[0])).toEqual([
      '**Harness review, round 1** (codex): approved',
    ]);
    repo.git('fetch', '--quiet', 'origin', adopted.branch);
    expect(repo.git('show', `origin/${adopted.branch}:.harness/guards/no-todo.sh`)).toContain('GC-TODO');
    expect(repo.git('ls-tree', `origin/${adopted.branch}`, '.harness/guards/no-todo.sh')).toMatch(/^100755 /);
    // The user's checkout: not a file written, still on main.
    expect(existsSync(join(repo.path, '.harness'))).toBe(false);
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(repo.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(existsSync(join(home.path, 'outside.sh'))).toBe(false);
    // No draft, implementer or reviewer run got the GitHub token the CLI was started with.
    for (const call of [...readFakeAgentLog(file('claude.jsonl')), ...readFakeAgentLog(file('codex.jsonl'))])
      expect(JSON.stringify(call.env)).not.toContain('ghp_e2e_token');

    // Adopted once: the draft says so, and a second adopt is refused without a second PR.
    const after = draftFiles().find((d) => d.id === chosen.id);
    expect(after).toMatchObject({ status: 'adopted', taskId: adopted.task_id });
    const twice = await harness(['gc', 'adopt', chosen.id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('is adopted');
    expect(github.pullRequests('octo/app')).toHaveLength(1);

    // Reject another, with a reason.
    const other = onDisk.find((d) => d.id !== chosen.id) ?? expect.unreachable('one draft only');
    const rejected = await harness(['gc', 'reject', other.id, '--reason', 'not worth a guard']);
    expect(rejected.stdout).toContain('rejected: not worth a guard');
    expect(draftFiles().find((d) => d.id === other.id)).toMatchObject({
      status: 'rejected',
      statusReason: 'not worth a guard',
    });
  }, 180_000);

  it('stops spending at the per-signal cap (an agent over its cap) and at the total cap', async () => {
    configure({ text: GUARD, cost: 0.8 }, ['max_drafts_per_run = 6', 'budget_per_signal_usd = 0.3']);
    await seed(sixSignals('app'));
    const over = JSON.parse((await harness(['gc', 'run', 'app', '--json'])).stdout) as {
      drafts: unknown[];
      skipped: { reason: string }[];
      errors: string[];
      spentUsd: number;
    };
    // One run reported $0.80 against its $0.30 cap: GC spent nothing more.
    expect(readFakeAgentLog(file('claude.jsonl'))).toHaveLength(1);
    expect(readFakeAgentLog(file('claude.jsonl'))[0]?.argv).toEqual(
      expect.arrayContaining(['--max-budget-usd', '0.3']),
    );
    expect(over.errors.some((e) => e.includes('over its cap'))).toBe(true);
    expect(over.skipped.map((s) => s.reason)).toEqual(Array.from({ length: 5 }, () => 'over_budget_stop'));
    expect(over.spentUsd).toBeCloseTo(0.8);

    // Total cap: $0.50 each, $1.00 in all: two runs, the rest skipped for budget.
    await repo.cleanup();
    repo = await createTempGitRepo({ withOrigin: true });
    await home.cleanup();
    home = await createTempDir('harness-home-');
    // The agent read the token somewhere and wrote it into its answer: never into a draft file.
    configure({ text: `${GUARD}\nSeen in .env: ghp_e2e_token`, cost: 0.5 }, [
      'max_drafts_per_run = 6',
      'total_budget_usd = 1.0',
    ]);
    await seed(sixSignals('app'));
    const total = await harness(['gc', 'run', 'app']);
    expect(readFakeAgentLog(file('claude.jsonl'))).toHaveLength(2);
    expect(total.stdout).toContain('2 draft(s), $1.00 spent');
    expect(total.stdout.match(/: budget \(/g)).toHaveLength(4);
    expect(draftFiles()).toHaveLength(2);
    for (const name of readdirSync(join(dataDir(), 'drafts')))
      expect(readFileSync(join(dataDir(), 'drafts', name), 'utf8')).not.toContain('ghp_e2e_token');
  }, 120_000);

  it('learns a rule and a skill that survive a restart and take effect: the rule in rule check, the skill in the next prompt', async () => {
    configure({ text: GUARD, cost: 0.1 });
    await seed(sixSignals('app'));
    await harness(['gc', 'run', 'app']);
    const [draft] = draftFiles();
    const adopted = await harness(['gc', 'adopt', draft?.id ?? '', '--no-wait']);
    expect(adopted.code).toBe(0);

    // A guard that reports LEARN-001: medium (no such rule) until the rule is learned.
    repo.commitFile(
      '.harness/guards/learn.sh',
      '#!/bin/sh\necho "src/parser.ts:7:LEARN-001:parser input not validated"\n',
    );
    chmodSync(join(repo.path, '.harness', 'guards', 'learn.sh'), 0o755);
    const before = await harness(['rule', 'check', 'app']);
    expect(before.stdout).toContain('MEDIUM src/parser.ts:7 [LEARN-001]');
    expect(before.code).toBe(0);

    configure({
      runs: [
        {
          text: '## LEARN-001: Validate parser input\nseverity: high\n\nEvery parser entry point checks its input first.\n',
        },
        {
          text: '=== skill: parser-care ===\n# Parser care: validate input before parsing\n<!-- trigger-patterns: parser -->\nCheck the input of every parser entry point first; add a test for empty input.\n',
        },
        { edits: [{ path: 'parser.txt', content: 'v1\n' }], text: 'Done.' },
      ],
    });
    const rules = await harness(['learn', 'rules', 'app']);
    expect(rules.stdout).toContain('learned 1 rules from 1 adopted draft(s): LEARN-001');
    const skills = await harness(['learn', 'skills', 'app']);
    expect(skills.stdout).toContain('learned 1 skills from 1 adopted draft(s): parser-care');
    // Persisted where a person can read them.
    expect(readFileSync(join(dataDir(), 'rules', 'learned', 'LEARN-001.md'), 'utf8')).toContain('severity: high');
    expect(existsSync(join(dataDir(), 'skills', 'parser-care.md'))).toBe(true);
    // Learning again reads nothing new.
    expect((await harness(['learn', 'rules', 'app'])).stdout).toContain('learned 0 rules from 0 adopted draft(s)');

    // A new process: the learned rule sets the violation's severity.
    const after = await harness(['rule', 'check', 'app']);
    expect(after.stdout).toContain('HIGH src/parser.ts:7 [LEARN-001]');
    expect(after.code).toBe(1);
    expect((await harness(['skill', 'list', '--query', 'parser'])).stdout).toMatch(/parser-care\s+data/);
    // Skills by hand, with --json: what skill_create and skill_delete answer over JSON-RPC.
    writeFileSync(file('by-hand.md'), '# Run the linter before the tests\n\nRun `npm run lint` first.\n');
    const created = await harness(['skill', 'create', 'by-hand', '--file', file('by-hand.md'), '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'by-hand', tier: 'data', trigger_patterns: [] });
    const deleted = await harness(['skill', 'delete', 'by-hand', '--json']);
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted: true, name: 'by-hand' });
    const loaded = await harness(['rule', 'load', 'app', '--json']);
    expect(JSON.parse(loaded.stdout)).toMatchObject({ rules_count: expect.any(Number) as number, problems: [] });

    // A restarted server: the next task about the parser gets the learned skill in its prompt.
    server = await startHarnessServer({
      cliPath,
      args: ['--config', file('harness.toml')],
      home: home.path,
      env: { ...repo.gitEnv, GITHUB_TOKEN: 'ghp_e2e_token' },
    });
    const res = await fetch(`${server.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'app', prompt: 'Make the parser accept empty input' }),
    });
    const { task_id: id } = (await res.json()) as CreateTaskResponse;
    for (let i = 0; i < 600; i++) {
      const task = (await (await fetch(`${server.url}/tasks/${id}`)).json()) as TaskDetail;
      if (task.status === 'done' || task.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const prompts = readFakeAgentLog(file('claude.jsonl')).map((c) => c.prompt);
    const taskPrompt = prompts.find((p) => p.includes('Make the parser accept empty input'));
    expect(taskPrompt).toContain('## Relevant skills');
    expect(taskPrompt).toContain('Check the input of every parser entry point first');
  }, 180_000);
});
