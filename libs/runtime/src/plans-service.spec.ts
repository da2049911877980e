import { join } from 'node:path';
import { AppError, resolveConfig, type HarnessConfig } from '@agent-harness/core';
import { TypeOrmPlanStore } from '@agent-harness/persistence';
import { InMemoryPlanStore } from '@agent-harness/plans/testing';
import type { StoredTaskEvent } from '@agent-harness/queue';
import {
  FAKE_AGENT_BIN_DIR,
  InMemoryTaskRepository,
  createTempDataDir,
  createTempGitRepo,
  taskFixture,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from './harness.js';
import { PlansService, REWATCH_MS, type TaskEventsWatch } from '@agent-harness/app';

const SPEC = [
  '# Exec plans',
  '',
  '## Milestones',
  '- [ ] The task does its work',
  '- [ ] Someone reviews it',
  '',
  '## Steps',
  '1. Add `a.txt`',
  '',
  '## Validation',
  '- Test: the task ends done',
].join('\n');

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return (error as AppError).code;
    throw error;
  }
  return 'resolved';
}

/** Polls `read` every 25 ms until `done` holds (at most 10 s); the last value read. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 400 && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

function configFor(data: TempDir, repo?: TempGitRepo): HarnessConfig {
  const scenario = JSON.stringify({ edits: [{ path: 'a.txt', content: 'a\n' }] });
  const toml = [
    '[server]',
    `data_dir = ${JSON.stringify(data.path)}`,
    '[agents.claude]',
    `cli_path = ${JSON.stringify(join(FAKE_AGENT_BIN_DIR, 'claude'))}`,
    '[agents.claude.env]',
    `FAKE_AGENT_SCENARIO = ${JSON.stringify(scenario)}`,
    ...(repo === undefined ? [] : ['[[projects]]', 'name = "app"', `root = ${JSON.stringify(repo.path)}`]),
  ].join('\n');
  const config = resolveConfig({
    file: { path: join(data.path, 'h.toml'), text: toml },
    env: {},
    homeDir: data.path,
    cwd: data.path,
  });
  if (!config.ok) throw config.error;
  return config.value;
}

describe('PlansService on a real Harness (SQLite, git, scripted agent)', () => {
  let data: TempDir;
  let repo: TempGitRepo;
  let harness: Harness | undefined;

  beforeEach(async () => {
    data = await createTempDataDir();
    repo = await createTempGitRepo({ withOrigin: true });
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await data.cleanup();
    await repo.cleanup();
  });

  const errors: string[] = [];
  const open = async (): Promise<Harness> => {
    harness = await createHarness(configFor(data, repo), {
      env: { PATH: process.env['PATH'], HOME: data.path, ...repo.gitEnv },
      homeDir: data.path,
      tickMs: 50,
      logger: { log: () => undefined, error: (message) => errors.push(message) },
    });
    return harness;
  };

  it('completes the milestone when the linked task the engine runs ends done, live', async () => {
    const h = await open();
    await h.start();
    const plan = await h.plans.init({ spec: SPEC });
    expect(plan).toMatchObject({ project: 'app', status: 'draft', version: 1 });
    expect(plan.progress.map((m) => m.description)).toEqual(['The task does its work', 'Someone reviews it']);

    const task = await h.engine.submit({ kind: 'prompt', prompt: 'Add a.txt' });
    // Linked by the id prefix `harness tasks` shows.
    const linked = await h.plans.linkTask(plan.id.slice(0, 6), task.id.slice(0, 8), 0);
    expect(linked.taskLinks).toEqual([{ taskId: task.id, milestone: 0, linkedAt: expect.any(String) as string }]);

    // Read the store itself: `plans.get` would settle the link on its own.
    const store = new TypeOrmPlanStore(h.database.dataSource);
    const ticked = await until(
      () => store.get(plan.id),
      (p) => p?.progress[0]?.completed === true,
    );
    expect((await h.tasks.get(task.id))?.status).toBe('done');
    expect(ticked?.progress).toEqual([
      { description: 'The task does its work', completed: true, completedAt: expect.any(String) as string },
      { description: 'Someone reviews it', completed: false },
    ]);
    expect(ticked?.taskLinks[0]).toMatchObject({ taskId: task.id, outcome: 'done' });
    expect(ticked?.decisionLog).toEqual([
      {
        decision: `Milestone 0 completed by task ${task.id}`,
        rationale: `Task ${task.id}, linked to milestone 0 ("The task does its work"), ended done.`,
        timestamp: expect.any(String) as string,
      },
    ]);
    expect(h.plans.markdown(ticked!)).toContain(`- \`${task.id}\` → milestone 0, linked `);
  });

  it('after a restart settles links whose task ended while nobody watched', async () => {
    let h = await open();
    const plan = await h.plans.init({ spec: SPEC, project: 'app' });
    await h.tasks.create(taskFixture('task-done', { status: 'running' }), { kind: 'log', data: {} });
    await h.tasks.create(taskFixture('task-failed', { status: 'running' }), { kind: 'log', data: {} });
    await h.plans.linkTask(plan.id, 'task-done', 1);
    await h.plans.linkTask(plan.id, 'task-failed', 0);
    await h.close();

    // Both tasks end while no Harness runs (another process, a crash).
    h = await open();
    for (const [id, status] of [
      ['task-done', 'done'],
      ['task-failed', 'failed'],
    ] as const) {
      const task = await h.tasks.get(id);
      await h.tasks.update(id, task?.version ?? 0, { status });
    }
    await h.close();

    h = await open();
    const store = new TypeOrmPlanStore(h.database.dataSource);
    expect((await store.get(plan.id))?.progress[1]?.completed).toBe(false);
    // A row nobody can read (a hand edit of the database) must not keep the server from starting.
    await h.database.dataSource.query(
      `INSERT INTO exec_plans (id, project, status, body, version, created_at, updated_at)
       VALUES ('0000000000ff', 'app', 'active', '{"broken"', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
    );
    errors.length = 0;
    await h.start();
    expect(errors).toEqual([expect.stringMatching(/^plans: could not list the active plans: /)]);
    await h.database.dataSource.query(`DELETE FROM exec_plans WHERE id = '0000000000ff'`);
    const after = await store.get(plan.id);
    expect(after?.progress.map((m) => m.completed)).toEqual([false, true]);
    expect(after?.taskLinks.map((l) => [l.taskId, l.outcome])).toEqual([
      ['task-done', 'done'],
      ['task-failed', 'failed'],
    ]);
    expect(after?.decisionLog.map((d) => d.decision)).toEqual(['Milestone 1 completed by task task-done']);
  });

  it('refuses links it cannot honour, and reading a plan settles it', async () => {
    const h = await open();
    const plan = await h.plans.init({ spec: SPEC });
    const other = await h.plans.init({ spec: '# Other\n## Milestones\n- [ ] m' });
    await h.tasks.create(taskFixture('t-failed', { status: 'failed' }), { kind: 'log', data: {} });
    await h.tasks.create(taskFixture('t-open', { status: 'running' }), { kind: 'log', data: {} });
    expect(await codeOf(h.plans.linkTask(plan.id, 'nope', 0))).toBe('NOT_FOUND');
    expect(await codeOf(h.plans.linkTask(plan.id, 't-failed', 0))).toBe('CONFLICT');
    expect(await codeOf(h.plans.linkTask(plan.id, 't-open', 2))).toBe('INVALID_ARGUMENT');
    await h.plans.linkTask(plan.id, 't-open', 0);
    expect(await codeOf(h.plans.linkTask(other.id, 't-open', 0))).toBe('CONFLICT');
    expect(await codeOf(h.plans.update(plan.id, { action: 'link_task', taskId: 't-open', milestone: 1 }))).toBe(
      'CONFLICT',
    );
    expect(await codeOf(h.plans.get('zz'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(h.plans.get('ffffffffffff'))).toBe('NOT_FOUND');

    // The task ends in another process: this one never saw it, yet the plan read shows it.
    const task = await h.tasks.get('t-open');
    await h.tasks.update('t-open', task?.version ?? 0, { status: 'done' });
    expect((await h.plans.get(plan.id)).progress[0]?.completed).toBe(true);
    expect((await h.plans.list()).map((p) => [p.id, p.progress.filter((m) => m.completed).length])).toEqual([
      [plan.id, 1],
      [other.id, 0],
    ]);
  });

  it('names the project: the default one, else it must be given', async () => {
    harness = await createHarness(configFor(data), { env: {}, homeDir: data.path });
    expect(await codeOf(harness.plans.init({ spec: SPEC }))).toBe('INVALID_ARGUMENT');
    expect((await harness.plans.init({ spec: SPEC, project: 'elsewhere' })).project).toBe('elsewhere');
  });
});

/** A hand-driven event stream per task, standing in for the engine's hub. */
class ManualWatch {
  private readonly observers = new Map<
    string,
    Set<{ next?: (e: StoredTaskEvent) => void; complete?: () => void; error?: (error: unknown) => void }>
  >();

  watch = (taskId: string): TaskEventsWatch => ({
    subscribe: (observer) => {
      const set = this.observers.get(taskId) ?? new Set();
      this.observers.set(taskId, set);
      set.add(observer);
      return { unsubscribe: () => set.delete(observer) };
    },
  });

  watchers(taskId: string): number {
    return this.observers.get(taskId)?.size ?? 0;
  }

  /** A read of the store failed under the follower. */
  fail(taskId: string): void {
    for (const o of [...(this.observers.get(taskId) ?? [])]) o.error?.(new Error('database is locked'));
  }

  end(taskId: string): void {
    for (const o of [...(this.observers.get(taskId) ?? [])]) {
      o.next?.({ taskId, seq: 9, kind: 'end', data: {}, createdAt: '2026-11-25T00:00:00.000Z' });
      o.complete?.();
    }
  }
}

describe('PlansService watches (in-memory stores, a hand-driven stream)', () => {
  const setup = () => {
    const tasks = new InMemoryTaskRepository();
    const store = new InMemoryPlanStore();
    const stream = new ManualWatch();
    const plans = new PlansService({
      store,
      tasks,
      follow: stream.watch,
      config: { projects: [] },
      now: () => new Date('2026-11-25T08:00:00.000Z'),
      newId: () => 'abcdef012345',
    });
    return { tasks, store, stream, plans };
  };

  it('settles a link when its stream ends, once, and stops watching', async () => {
    const { tasks, store, stream, plans } = setup();
    await plans.init({ spec: '## Milestones\n- [ ] m', project: 'app' });
    await tasks.create(taskFixture('t1', { status: 'running' }), { kind: 'log', data: {} });
    await plans.linkTask('abcdef012345', 't1', 0);
    expect(stream.watchers('t1')).toBe(1);
    const task = await tasks.get('t1');
    await tasks.update('t1', task?.version ?? 0, { status: 'done' });
    stream.end('t1');
    await plans.close();
    const plan = await store.get('abcdef012345');
    expect(plan?.progress[0]?.completed).toBe(true);
    expect(plan?.decisionLog).toHaveLength(1);
    expect(stream.watchers('t1')).toBe(0);
  });

  it('a watch whose read failed looks again later instead of giving the task up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { tasks, store, stream, plans } = setup();
      await plans.init({ spec: '## Milestones\n- [ ] m', project: 'app' });
      await tasks.create(taskFixture('t1', { status: 'running' }), { kind: 'log', data: {} });
      await plans.linkTask('abcdef012345', 't1', 0);
      stream.fail('t1');
      expect(stream.watchers('t1')).toBe(0);
      vi.advanceTimersByTime(REWATCH_MS);
      expect(stream.watchers('t1')).toBe(1);
      const task = await tasks.get('t1');
      await tasks.update('t1', task?.version ?? 0, { status: 'done' });
      stream.end('t1');
      await plans.close();
      expect((await store.get('abcdef012345'))?.progress[0]?.completed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('after close watches nothing and changes nothing', async () => {
    const { tasks, store, stream, plans } = setup();
    await plans.init({ spec: '## Milestones\n- [ ] m', project: 'app' });
    await tasks.create(taskFixture('t1', { status: 'running' }), { kind: 'log', data: {} });
    await plans.linkTask('abcdef012345', 't1', 0);
    await plans.close();
    expect(stream.watchers('t1')).toBe(0);
    const task = await tasks.get('t1');
    await tasks.update('t1', task?.version ?? 0, { status: 'done' });
    stream.end('t1');
    expect((await store.get('abcdef012345'))?.progress[0]?.completed).toBe(false);
  });
});
