import { join } from 'node:path';
import {
  resolveConfig,
  spendDayOf,
  type HarnessConfig,
  type TaskDetail,
  type UsageResponse,
} from '@agent-harness/core';
import { DATABASE_FILE_NAME, openDatabase, TypeOrmUsageLedger } from '@agent-harness/persistence';
import type { UsageRecord } from '@agent-harness/queue';
import {
  createTempDataDir,
  createTempGitRepo,
  FAKE_AGENT_BIN_DIR,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapServer, type RunningServer } from '../bootstrap.js';

const TOKEN = 'usage-token-0123456789';

function configFor(dataDir: string, root: string, libRoot: string): HarnessConfig {
  const text = [
    '[server]',
    'http_addr = "127.0.0.1:0"',
    `data_dir = ${JSON.stringify(dataDir)}`,
    `api_token = "${TOKEN}"`,
    '[agents.claude]',
    `cli_path = "${FAKE_AGENT_BIN_DIR}/claude"`,
    '[limits]',
    'daily_usd = 1',
    'task_max_usd = 0.5',
    '[[projects]]',
    'name = "app"',
    `root = ${JSON.stringify(root)}`,
    'daily_usd = 0.75',
    '[[projects]]',
    'name = "lib"',
    `root = ${JSON.stringify(libRoot)}`,
  ].join('\n');
  const result = resolveConfig({ file: { path: '/x/h.toml', text }, env: {}, homeDir: '/h', cwd: '/' });
  if (!result.ok) throw result.error;
  return result.value;
}

function record(day: string, overrides: Partial<UsageRecord>): UsageRecord {
  return {
    taskId: 't1',
    project: 'app',
    agent: 'codex',
    role: 'implementer',
    model: 'gpt-5',
    day,
    at: `${day}T10:00:00.000Z`,
    inputTokens: 1000,
    cachedInputTokens: 100,
    cacheWriteTokens: 0,
    outputTokens: 10,
    turns: 2,
    costUsd: 0.5,
    pricedBy: 'table',
    ...overrides,
  };
}

describe('GET /api/usage and the waiting reason of GET /tasks/:id (real server, real SQLite)', () => {
  let dir: TempDir;
  let repo: TempGitRepo;
  let lib: TempGitRepo;
  let server: RunningServer | undefined;
  const today = spendDayOf(new Date(), { startsAt: '00:00', timeZone: 'UTC' });

  beforeEach(async () => {
    dir = await createTempDataDir();
    repo = await createTempGitRepo();
    lib = await createTempGitRepo();
    // Spend recorded as runs record it, before the server opens the database: app has spent its day.
    const database = await openDatabase({ file: join(dir.path, DATABASE_FILE_NAME) });
    const ledger = new TypeOrmUsageLedger(database.dataSource);
    await ledger.record(record(today.day, {}));
    await ledger.record(record(today.day, { taskId: 't2', model: 'mystery', pricedBy: 'fallback', costUsd: 0.25 }));
    await ledger.record(record('2020-01-01', { costUsd: 9 }));
    await database.close();
    server = await bootstrapServer(configFor(dir.path, repo.path, lib.path));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await dir.cleanup();
    await repo.cleanup();
    await lib.cleanup();
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server?.url ?? ''}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });

  it('answers tokens and dollars by day, project, agent and model, and today against the limits', async () => {
    const res = await call('/api/usage');
    expect(res.status).toBe(200);
    const body = (await res.json()) as UsageResponse;
    expect(body).toMatchObject({ until: today.day, project: null });
    // The last 7 days by default: the 2020 run is not counted.
    expect(body.groups.map((g) => [g.day, g.project, g.agent, g.model, g.cost_usd, g.fallback_priced_runs])).toEqual([
      [today.day, 'app', 'codex', 'gpt-5', 0.5, 0],
      [today.day, 'app', 'codex', 'mystery', 0.25, 1],
    ]);
    expect(body.totals).toEqual({
      runs: 2,
      turns: 4,
      tokens: { input: 2000, cached_input: 200, cache_write: 0, output: 20 },
      cost_usd: 0.75,
      fallback_priced_runs: 1,
    });
    expect(body.today).toEqual({
      day: today.day,
      started_at: today.start.toISOString(),
      resets_at: today.end.toISOString(),
      spent_usd: 0.75,
      daily_usd: 1,
      task_max_usd: 0.5,
      task_max_turns: null,
      held: false,
      projects: [
        { project: 'app', spent_usd: 0.75, daily_usd: 0.75, held: true },
        { project: 'lib', spent_usd: 0, daily_usd: null, held: false },
      ],
    });
    const old = (await (
      await call('/api/usage?since=2020-01-01&until=2020-01-31&project=app')
    ).json()) as UsageResponse;
    expect(old.groups.map((g) => g.cost_usd)).toEqual([9]);
  });

  it('refuses a bad day, an unknown project and unknown parameters with 400 and the reason', async () => {
    const cases: [string, RegExp][] = [
      ['?since=yesterday', /since must be a day, YYYY-MM-DD, or "today"/],
      ['?since=2026-12-09&until=2026-12-01', /since \(2026-12-09\) is after until \(2026-12-01\)/],
      ['?project=nope', /unknown project "nope"/],
      ['?colour=blue', /colour/],
    ];
    for (const [query, message] of cases) {
      const res = await call(`/api/usage${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('a task of a project whose daily limit is spent waits, and says why and until when', async () => {
    const submitted = await call('/tasks', {
      method: 'POST',
      body: JSON.stringify({ project: 'app', prompt: 'later' }),
    });
    expect(submitted.status).toBe(202);
    const { task_id } = (await submitted.json()) as { task_id: string };
    const detail = (await (await call(`/tasks/${task_id}`)).json()) as TaskDetail;
    expect(detail).toMatchObject({
      status: 'queued',
      waiting: { reason: 'budget', scope: 'project', spent_usd: 0.75, limit_usd: 0.75, until: today.end.toISOString() },
    });
  });
});
