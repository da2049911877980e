import { AppError } from '@agent-harness/core';
import { MAX_ATTEMPTS, type NewTaskEvent, type Task, type TaskChanges, type TaskStatus } from '@agent-harness/queue';
import { InMemoryTaskRepository } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { APP, unitEngines } from '../test/unit-engine.js';

const NOW = '2026-11-23T10:00:00.000Z';
const LATER = '2026-11-23T10:05:00.000Z';
const EARLIER = '2026-11-23T09:55:00.000Z';

function activeTask(id: string, overrides: Partial<Task> = {}): Task {
  return {
    id,
    project: 'app',
    kind: 'prompt',
    prompt: id,
    status: 'running',
    attempt: 1,
    inputTokens: 0,
    outputTokens: 0,
    validationRetries: 0,
    reviewRounds: 0,
    createdAt: '2026-11-23T09:00:00.000Z',
    updatedAt: '2026-11-23T09:00:00.000Z',
    startedAt: '2026-11-23T09:00:00.000Z',
    version: 3,
    ...overrides,
  };
}

// Recovery at start, by lease, on in-memory ports: which tasks this server takes back and what it does with them.
describe('TaskEngine recovery (unit)', () => {
  const engines = unitEngines();
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date(NOW) });
  });
  afterEach(async () => {
    await engines.stopAll();
    vi.useRealTimers();
  });

  it('takes back its own tasks and unleased ones; leaves every other server task alone, expired or not', async () => {
    const { engine, tasks, worktrees } = engines.make({ serverId: 'server-a' });
    const seeded = [
      activeTask('aaaaaaa1', { leaseOwner: 'server-a', leaseExpiresAt: LATER, worktree: '/data/worktrees/aaaaaaa1' }),
      activeTask('aaaaaaa2', { status: 'validating', leaseOwner: 'server-b', leaseExpiresAt: EARLIER }),
      activeTask('aaaaaaa3', { status: 'preparing' }),
      activeTask('aaaaaaa4', { leaseOwner: 'server-b', leaseExpiresAt: LATER }),
    ];
    for (const task of seeded) await tasks.create(task, { kind: 'status', data: { to: task.status } });
    const report = await engine.recover();
    expect(report).toEqual({
      requeued: ['aaaaaaa1', 'aaaaaaa3'],
      failed: [],
      leasedElsewhere: ['aaaaaaa2', 'aaaaaaa4'],
      removedWorktrees: [],
    });
    for (const [id, was] of [
      ['aaaaaaa1', 'running'],
      ['aaaaaaa3', 'preparing'],
    ] as const) {
      const task = await tasks.get(id);
      expect(task).toMatchObject({
        status: 'queued',
        attempt: 2,
        error: `interrupted by a server restart while ${was}`,
      });
      expect([task?.leaseOwner, task?.leaseExpiresAt, task?.worktree]).toEqual([undefined, undefined, undefined]);
      const events = await tasks.eventsAfter(id, 1, 10);
      expect(events.map((e) => e.data)).toEqual([
        { from: was, to: 'queued', attempt: 2, reason: `interrupted by a server restart while ${was}` },
      ]);
    }
    expect(await tasks.get('aaaaaaa2')).toEqual(seeded[1]);
    expect(await tasks.get('aaaaaaa4')).toEqual(seeded[3]);
    // Its stored worktree, else where the task's worktree would be; never another server's.
    expect(worktrees.removed).toEqual([
      { repoRoot: APP.root, path: '/data/worktrees/aaaaaaa1' },
      { repoRoot: APP.root, path: worktrees.pathFor('aaaaaaa3') },
    ]);
  });

  it('fails an interrupted task that has used up its attempts, as interrupted', async () => {
    const { engine, tasks } = engines.make();
    await tasks.create(activeTask('bbbbbbb1', { attempt: MAX_ATTEMPTS }), { kind: 'status', data: {} });
    expect(await engine.recover()).toMatchObject({ requeued: [], failed: ['bbbbbbb1'] });
    expect(await tasks.get('bbbbbbb1')).toMatchObject({
      status: 'failed',
      failureClass: 'interrupted',
      error: `interrupted by a server restart while running, after ${String(MAX_ATTEMPTS)} attempts`,
      finishedAt: NOW,
    });
    expect((await tasks.eventsAfter('bbbbbbb1', 0, 10)).at(-1)).toMatchObject({
      kind: 'end',
      data: { status: 'failed', failure_class: 'interrupted' },
    });
  });

  it('takes back another server task once its lease expires, not before, without touching its worktree', async () => {
    const { engine, tasks, worktrees } = engines.make({ serverId: 'server-a' });
    await tasks.create(activeTask('ccccccc1', { leaseOwner: 'server-b', leaseExpiresAt: '2026-11-23T10:01:00.000Z' }), {
      kind: 'status',
      data: {},
    });
    expect(await engine.reclaimExpired()).toEqual([]);
    vi.advanceTimersByTime(60_001);
    expect(await engine.reclaimExpired()).toEqual(['ccccccc1']);
    expect(await tasks.get('ccccccc1')).toMatchObject({
      status: 'queued',
      attempt: 2,
      error: 'its server (server-b) stopped answering while running',
    });
    expect(worktrees.removed).toEqual([]);
    // A second server doing the same finds nothing left to take.
    expect(await engine.reclaimExpired()).toEqual([]);
  });

  it('takes back its own task whose lease expired with no run here (a run that ended unrecorded), cleaning up after it', async () => {
    const { engine, tasks, worktrees, endedProcesses } = engines.make({ serverId: 'server-a' });
    await tasks.create(
      activeTask('eeeeeee1', {
        status: 'committing',
        leaseOwner: 'server-a',
        leaseExpiresAt: '2026-11-23T10:01:00.000Z',
        worktree: '/data/worktrees/eeeeeee1',
      }),
      { kind: 'status', data: {} },
    );
    // Still leased: it may be a run that is just starting here.
    expect(await engine.reclaimExpired()).toEqual([]);
    vi.advanceTimersByTime(60_001);
    expect(await engine.reclaimExpired()).toEqual(['eeeeeee1']);
    expect(await tasks.get('eeeeeee1')).toMatchObject({
      status: 'queued',
      attempt: 2,
      leaseOwner: undefined,
      error: 'its run on this server ended without recording an outcome while committing',
    });
    expect(endedProcesses).toEqual([{ taskId: 'eeeeeee1', worktree: '/data/worktrees/eeeeeee1' }]);
    expect(worktrees.removed).toEqual([{ repoRoot: APP.root, path: '/data/worktrees/eeeeeee1' }]);
  });

  it('goes on with the other tasks when one cannot be taken back, which the heartbeat takes back later', async () => {
    class RefusesOnce extends InMemoryTaskRepository {
      refused = false;
      override update(
        id: string,
        version: number,
        changes: TaskChanges,
        event?: NewTaskEvent,
        status?: TaskStatus,
        closing?: NewTaskEvent,
      ): ReturnType<InMemoryTaskRepository['update']> {
        if (id === 'fffffff1' && !this.refused) {
          this.refused = true;
          return Promise.reject(new AppError('INTERNAL', 'disk I/O error'));
        }
        return super.update(id, version, changes, event, status, closing);
      }
    }
    const { engine, tasks, logs } = engines.make({ serverId: 'server-a', tasks: new RefusesOnce() });
    for (const id of ['fffffff1', 'fffffff2'])
      await tasks.create(activeTask(id, { leaseOwner: 'server-a', leaseExpiresAt: '2026-11-23T10:01:00.000Z' }), {
        kind: 'status',
        data: {},
      });
    expect(await engine.recover()).toMatchObject({ requeued: ['fffffff2'], failed: [] });
    expect(logs).toContain('recovery: could not take back task fffffff1: disk I/O error');
    expect((await tasks.get('fffffff1'))?.status).toBe('running');
    vi.advanceTimersByTime(60_001);
    expect(await engine.reclaimExpired()).toEqual(['fffffff1']);
    expect(await tasks.get('fffffff1')).toMatchObject({ status: 'queued', attempt: 2 });
  });

  it("deletes the branch of a task it fails, unless the branch holds the task's commit (a repository without origin)", async () => {
    const { engine, tasks, worktrees } = engines.make();
    await tasks.create(activeTask('aaaaaab1', { attempt: MAX_ATTEMPTS, branch: 'harness/aaaaaab1-x' }), {
      kind: 'status',
      data: {},
    });
    await tasks.create(
      activeTask('aaaaaab2', { attempt: MAX_ATTEMPTS, branch: 'harness/aaaaaab2-x', commit: 'c0ffee00c0ffee00' }),
      { kind: 'status', data: {} },
    );
    expect(await engine.recover()).toMatchObject({ failed: ['aaaaaab1', 'aaaaaab2'] });
    expect(worktrees.deletedBranches).toEqual(['harness/aaaaaab1-x']);
    expect(await tasks.get('aaaaaab1')).toMatchObject({ status: 'failed', branch: undefined });
    expect(await tasks.get('aaaaaab2')).toMatchObject({ status: 'failed', branch: 'harness/aaaaaab2-x' });
    expect((await tasks.eventsAfter('aaaaaab2', 0, 10)).map((e) => e.data)).toContainEqual({
      message: "branch harness/aaaaaab2-x stays: it holds the task's commit c0ffee00c0ff",
    });
  });

  it('ends a run whose outcome cannot be recorded failed, with both reasons, instead of leaving it active', async () => {
    class RefusesFirstEnd extends InMemoryTaskRepository {
      refused = false;
      override update(
        id: string,
        version: number,
        changes: TaskChanges,
        event?: NewTaskEvent,
        status?: TaskStatus,
        closing?: NewTaskEvent,
      ): ReturnType<InMemoryTaskRepository['update']> {
        if (changes.status === 'failed' && !this.refused) {
          this.refused = true;
          return Promise.reject(new AppError('INTERNAL', 'disk I/O error'));
        }
        return super.update(id, version, changes, event, status, closing);
      }
    }
    const { engine, tasks } = engines.make({ tasks: new RefusesFirstEnd() });
    await engine.start();
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'fails' });
    for (let i = 0; i < 50 && (await tasks.get(submitted.id))?.status !== 'failed'; i++)
      await vi.advanceTimersByTimeAsync(100);
    expect(await tasks.get(submitted.id)).toMatchObject({
      status: 'failed',
      failureClass: 'internal',
      leaseOwner: undefined,
      error: expect.stringContaining("could not record the task's outcome (failed): disk I/O error") as unknown,
    });
    expect(engine.runningCount).toBe(0);
  });

  it('leaves queued and finished tasks as they are', async () => {
    const { engine, tasks } = engines.make();
    await tasks.create(activeTask('ddddddd1', { status: 'queued' }), { kind: 'status', data: {} });
    await tasks.create(activeTask('ddddddd2', { status: 'done' }), { kind: 'status', data: {} });
    expect(await engine.recover()).toEqual({ requeued: [], failed: [], leasedElsewhere: [], removedWorktrees: [] });
    expect(tasks.all().map((t) => [t.id, t.status, t.version])).toEqual([
      ['ddddddd1', 'queued', 3],
      ['ddddddd2', 'done', 3],
    ]);
  });
});
