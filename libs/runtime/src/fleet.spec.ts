import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { resolveConfig } from '@agent-harness/core';
import type { StoredTaskEvent, Task } from '@agent-harness/queue';
import {
  FAKE_AGENT_BIN_DIR,
  createTempDataDir,
  createTempGitRepo,
  createTempPostgresDatabase,
  type TempDir,
  type TempGitRepo,
  type TempPostgresDatabase,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

// Two servers (Harness instances, each with its own data_dir and checkout) on one PostgreSQL
// database: what one asks of a task the other runs.
describe('fleet mode (two servers, real PostgreSQL, real git, scripted agents)', () => {
  let dirs: TempDir[];
  let repo: TempGitRepo;
  let db: TempPostgresDatabase;
  let harnesses: Harness[];

  beforeEach(async () => {
    dirs = [await createTempDataDir(), await createTempDataDir()];
    repo = await createTempGitRepo({ withOrigin: true });
    db = await createTempPostgresDatabase();
    harnesses = [];
  });
  afterEach(async () => {
    for (const h of harnesses) await h.close();
    await db.drop();
    await repo.cleanup();
    for (const d of dirs) await d.cleanup();
  });

  async function server(index: number, scenario: object): Promise<Harness> {
    const dir = dirs[index]?.path ?? '';
    const checkout = join(dir, 'app');
    execFileSync('git', ['clone', '-q', repo.originPath ?? '', checkout], { env: { ...process.env, ...repo.gitEnv } });
    const toml = [
      '[server]',
      `data_dir = ${JSON.stringify(join(dir, 'data'))}`,
      'lease_secs = 3',
      '[database]',
      `url = ${JSON.stringify(db.url)}`,
      '[agents.review]',
      'enabled = false',
      '[agents.claude]',
      `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
      '[agents.claude.env]',
      `FAKE_AGENT_SCENARIO = ${JSON.stringify(JSON.stringify(scenario))}`,
      '[[projects]]',
      'name = "app"',
      `root = ${JSON.stringify(checkout)}`,
    ].join('\n');
    const config = resolveConfig({ file: { path: join(dir, 'h.toml'), text: toml }, env: {}, homeDir: dir, cwd: dir });
    if (!config.ok) throw config.error;
    const harness = await createHarness(config.value, {
      env: { PATH: process.env['PATH'], HOME: dir, ...repo.gitEnv },
      tickMs: 100,
    });
    harnesses.push(harness);
    await harness.start();
    return harness;
  }

  async function until(h: Harness, id: string, match: (task: Task) => boolean, ms = 20_000): Promise<Task> {
    const deadline = Date.now() + ms;
    for (;;) {
      const task = await h.tasks.get(id);
      if (task !== undefined && match(task)) return task;
      if (Date.now() > deadline) throw new Error(`task ${id} is ${task?.status ?? 'missing'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('cancels from one server a task the other runs, and streams its events on both', async () => {
    const a = await server(0, { hang: 'after_init' });
    const task = await a.engine.submit({ kind: 'prompt', prompt: 'hang' });
    await until(a, task.id, (t) => t.status === 'running' && t.leaseOwner === a.engine.serverId);
    const b = await server(1, { hang: 'after_init' });
    // B watches every task: what A stores must reach it through NOTIFY.
    const seenOnB: StoredTaskEvent[] = [];
    const feed = b.engine.watchAll().subscribe((event) => seenOnB.push(event));
    try {
      const started = Date.now();
      const cancelled = await b.engine.cancel(task.id);
      expect(cancelled.status).toBe('cancelled');
      // A saw the request at its next heartbeat (every second with a 3 s lease) and ended the run.
      expect(Date.now() - started).toBeLessThan(10_000);
      const deadline = Date.now() + 5000;
      // A's run ends right after it records the cancel.
      while (a.engine.runningCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(a.engine.runningCount).toBe(0);
      while (!seenOnB.some((e) => e.kind === 'end') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      // What A stored from then on (the cancel's status and end) reached B, in order, once.
      const seqs = seenOnB.filter((e) => e.taskId === task.id).map((e) => e.seq);
      expect(seqs.length).toBeGreaterThan(1);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => (seqs[0] ?? 0) + i));
      expect(seenOnB.at(-1)).toMatchObject({ kind: 'end', data: { status: 'cancelled' } });
    } finally {
      feed.unsubscribe();
    }
  });

  it('drains: a server asked to stop hands its running task back, and the other takes it', async () => {
    const a = await server(0, { hang: 'after_init' });
    const task = await a.engine.submit({ kind: 'prompt', prompt: 'hang' });
    await until(a, task.id, (t) => t.status === 'running' && t.leaseOwner === a.engine.serverId);
    const b = await server(1, { hang: 'after_init' });
    await a.drain(300);
    const fleet = await b.fleet.status();
    expect(fleet.servers.find((s) => s.id === a.engine.serverId)?.state).toBe('draining');
    const taken = await until(b, task.id, (t) => t.status === 'running' && t.leaseOwner === b.engine.serverId);
    // Handed back, not failed: the same attempt runs again elsewhere.
    expect(taken.attempt).toBe(1);
    await b.engine.cancel(task.id);
  });
});
