import { MAX_ATTEMPTS, type Task } from '@agent-harness/queue';
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
