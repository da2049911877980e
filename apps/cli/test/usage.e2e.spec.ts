import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskDetail, UsageResponse } from '@agent-harness/core';
import {
  FAKE_AGENT_BIN_DIR,
  fakeAgentToml,
  createTempDir,
  createTempGitRepo,
  killStartedHarnessProcesses,
  runHarness,
  startHarnessServer,
  type HarnessServerProcess,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Spend limits as a user meets them: the built CLI serves with a daily limit; a Codex task (scripted
// CLI reporting tokens only) spends past it; the next task waits with its reason; `harness usage`
// shows the dollars priced from Codex's tokens and today against the limit.
const cliPath = join(import.meta.dirname, '..', 'dist', 'main.js');

describe('harness usage and the daily limit (built CLI, real server)', () => {
  let home: TempDir;
  let repo: TempGitRepo;
  let server: HarnessServerProcess | undefined;

  beforeAll(async () => {
    home = await createTempDir('harness-usage-');
    repo = await createTempGitRepo();
    const scenario = {
      edits: [{ path: 'c.txt', content: 'c\n' }],
      usage: { input: 1_000_000, cacheRead: 400_000, output: 100_000 },
    };
    const config = join(home.path, 'harness.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `data_dir = ${JSON.stringify(join(home.path, 'data'))}`,
        '[schedulers]',
        'enabled = false',
        '[agents]',
        'default_agent = "codex"',
        '[agents.review]',
        'enabled = false',
        '[agents.codex]',
        `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'codex'))}`,
        'default_model = "gpt-5-codex"',
        fakeAgentToml('codex', scenario),
        '[limits]',
        // The first task spends exactly this ($1.80): it finishes, and the day's limit is reached.
        'daily_usd = 1.8',
        '[[projects]]',
        'name = "app"',
        `root = ${JSON.stringify(repo.path)}`,
        '',
      ].join('\n'),
    );
    server = await startHarnessServer({
      cliPath,
      args: ['--config', config],
      env: repo.gitEnv,
      home: home.path,
      timeoutMs: 60_000,
    });
  });
  afterAll(async () => {
    await server?.stop('SIGTERM', 15_000).catch(() => undefined);
    killStartedHarnessProcesses();
    await home.cleanup();
    await repo.cleanup();
  });

  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server?.url ?? ''}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as T;
  };
  // A generous cap: the machine may be loaded.
  const until = async (id: string, done: (t: TaskDetail) => boolean): Promise<TaskDetail> => {
    let task: TaskDetail | undefined;
    for (let i = 0; i < 1200; i++) {
      task = await api<TaskDetail>(`/tasks/${id}`);
      if (done(task)) return task;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`task ${id} did not get there: ${JSON.stringify(task)}`);
  };
  const usage = (...args: string[]) =>
    runHarness({ cliPath, args: ['usage', '--server', server?.url ?? '', ...args], home: home.path });

  it(
    'prices Codex from its tokens, then holds the queue with a visible reason; harness usage shows both',
    { timeout: 300_000 },
    async () => {
      const first = await api<{ task_id: string }>('/tasks', { prompt: 'spend' });
      expect(await until(first.task_id, (t) => t.status === 'done')).toMatchObject({ agent: 'codex' });

      const json = await usage('--json');
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout) as UsageResponse;
      expect(report.groups).toMatchObject([
        { project: 'app', agent: 'codex', model: 'gpt-5-codex', runs: 1, cost_usd: 1.8, fallback_priced_runs: 0 },
      ]);
      expect(report.today).toMatchObject({ spent_usd: 1.8, daily_usd: 1.8, held: true });

      // The day's limit is spent: the next task waits (it does not fail), and says until when.
      const second = await api<{ task_id: string }>('/tasks', { prompt: 'tomorrow' });
      const waiting = await until(second.task_id, (t) => t.waiting !== null);
      expect(waiting).toMatchObject({
        status: 'queued',
        waiting: { reason: 'budget', scope: 'global', limit_usd: 1.8, until: report.today.resets_at },
      });

      const shown = await runHarness({
        cliPath,
        args: ['tasks', 'show', second.task_id, '--server', server?.url ?? ''],
        home: home.path,
      });
      expect(shown.stdout).toContain(
        `waiting: budget until ${report.today.resets_at} (all projects daily limit $1.80 spent)`,
      );

      const text = await usage('--since', 'today', '--project', 'app');
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('codex  gpt-5-codex');
      expect(text.stdout).toContain(`today ${report.today.day}: $1.80 of $1.80 — spent: queued tasks wait`);

      const bad = await usage('--since', 'last-week');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('since must be a day, YYYY-MM-DD, or "today"');
    },
  );
});
