import type { Task } from '@agent-harness/queue';
import { ScriptedAgentRunner } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { APP, FAILS, unitEngines } from '../test/unit-engine.js';

const HOLD = { hold: true, outcome: FAILS.outcome } as const;
const statusOf = (tasks: readonly Task[], prompt: string): string | undefined =>
  tasks.find((t) => t.prompt === prompt)?.status;

// Dispatch decisions on in-memory ports and a fake clock: agents are scripted and held open, so a
// running task keeps its slot until the test releases it.
describe('TaskEngine dispatch (unit)', () => {
  const engines = unitEngines();
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00.000Z') });
  });
  afterEach(async () => {
    await engines.stopAll();
    vi.useRealTimers();
  });

  it('starts queued tasks FIFO up to the global limit, and the next one when a slot frees', async () => {
    const claude = new ScriptedAgentRunner('claude', () => HOLD);
    const { engine, tasks, endedProcesses, worktrees } = engines.make({ maxConcurrent: 2, agents: [claude] });
    await engine.start();
    for (const prompt of ['one', 'two', 'three']) await engine.submit({ kind: 'prompt', prompt });
    await claude.whenCalled(2);
    // Ticks pass; no third run starts while both slots are held.
    await vi.advanceTimersByTimeAsync(5000);
    expect(claude.calls.map((c) => c.request.prompt)).toEqual(['one', 'two']);
    expect(statusOf(tasks.all(), 'three')).toBe('queued');
    claude.release();
    await claude.whenCalled(3);
    expect(claude.calls[2]?.request.prompt).toBe('three');
    const one = await tasks.whenTask(tasks.all()[0]?.id ?? '', (t) => t.status === 'failed');
    expect(one).toMatchObject({
      error: 'claude failed: scripted failure',
      failureClass: 'agent_error',
      leaseOwner: undefined,
    });
    // What it left running is ended, by its id and its worktree, and the worktree removed.
    expect(endedProcesses).toContainEqual({ taskId: one.id, worktree: worktrees.pathFor(one.id) });
    expect(worktrees.removed.map((r) => r.path)).toContain(worktrees.pathFor(one.id));
  });

  it('claims nothing before start: a task queued in a process that never started dispatch waits for a server', async () => {
    const claude = new ScriptedAgentRunner('claude', () => HOLD);
    const { engine, tasks } = engines.make({ agents: [claude] });
    const queued = await engine.submit({ kind: 'prompt', prompt: 'for the server' });
    // Many ticks' worth of time: submit asked for a look at the queue, and nothing took the task.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(claude.calls).toEqual([]);
    expect((await tasks.get(queued.id))?.status).toBe('queued');
    // Only the tasks a one-shot command starts are its own.
    const own = await engine.submit({ kind: 'prompt', prompt: 'mine' });
    engine.startOnly([own.id]);
    await claude.whenCalled(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(claude.calls.map((c) => c.request.prompt)).toEqual(['mine']);
    expect((await tasks.get(queued.id))?.status).toBe('queued');
  });

  it('holds a project to its own limit without blocking other projects behind it', async () => {
    const claude = new ScriptedAgentRunner('claude', () => HOLD);
    const lib = { ...APP, name: 'lib', root: '/repos/lib', isDefault: false };
    const { engine, tasks } = engines.make({
      maxConcurrent: 4,
      agents: [claude],
      projects: [{ ...APP, maxConcurrent: 1 }, lib],
    });
    await engine.start();
    await engine.submit({ kind: 'prompt', prompt: 'app 1' });
    await engine.submit({ kind: 'prompt', prompt: 'app 2' });
    await engine.submit({ kind: 'prompt', prompt: 'lib 1', project: 'lib' });
    await claude.whenCalled(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(claude.calls.map((c) => c.request.prompt)).toEqual(['app 1', 'lib 1']);
    expect(statusOf(tasks.all(), 'app 2')).toBe('queued');
  });

  it('claims a started task with a lease and renews it on the heartbeat without a new version', async () => {
    const claude = new ScriptedAgentRunner('claude', () => HOLD);
    const { engine, tasks } = engines.make({ agents: [claude], leaseMs: 30_000 });
    await engine.start();
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'hold' });
    await claude.whenCalled(1);
    const running = await tasks.whenTask(submitted.id, (t) => t.status === 'running');
    expect(running).toMatchObject({ leaseOwner: 'server-a', leaseExpiresAt: '2026-11-23T10:00:30.000Z' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await tasks.get(submitted.id)).toMatchObject({
      leaseExpiresAt: '2026-11-23T10:00:40.000Z',
      version: running.version,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await tasks.get(submitted.id))?.leaseExpiresAt).toBe('2026-11-23T10:00:50.000Z');
    claude.release();
    expect(await tasks.whenTask(submitted.id, (t) => t.status === 'failed')).toMatchObject({
      leaseOwner: undefined,
      leaseExpiresAt: undefined,
    });
  });

  it('cancels a queued task: cancelled with its end event, never started, not graded', async () => {
    const claude = new ScriptedAgentRunner('claude', () => HOLD);
    const { engine, tasks } = engines.make({ maxConcurrent: 1, agents: [claude] });
    await engine.start();
    await engine.submit({ kind: 'prompt', prompt: 'runs' });
    await claude.whenCalled(1);
    const queued = await engine.submit({ kind: 'prompt', prompt: 'waits' });
    const cancelled = await engine.cancel(queued.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled by request', failureClass: 'cancelled' });
    expect([cancelled.grade, cancelled.startedAt]).toEqual([undefined, undefined]);
    const events = await tasks.eventsAfter(queued.id, 0, 100);
    expect(events.map((e) => [e.seq, e.kind])).toEqual([
      [1, 'status'],
      [2, 'status'],
      [3, 'end'],
    ]);
    expect(events[1]?.data).toEqual({ from: 'queued', to: 'cancelled', attempt: 1, reason: 'cancelled by request' });
    await expect(engine.cancel(queued.id)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `task ${queued.id} already finished (cancelled)`,
    });
    await expect(engine.cancel('0f1c2d3e')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(claude.calls).toHaveLength(1);
  });

  it('cancels a running task: its agent run is aborted, its worktree removed, its unused branch deleted', async () => {
    const claude = new ScriptedAgentRunner('claude', () => HOLD);
    const { engine, tasks, worktrees } = engines.make({ agents: [claude] });
    await engine.start();
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'hold' });
    await claude.whenCalled(1);
    await tasks.whenTask(submitted.id, (t) => t.status === 'running');
    expect(await engine.cancel(submitted.id)).toMatchObject({ status: 'cancelled', failureClass: 'cancelled' });
    expect(claude.calls[0]?.request.signal?.aborted).toBe(true);
    expect(worktrees.removed).toEqual([{ repoRoot: APP.root, path: worktrees.pathFor(submitted.id) }]);
    expect(worktrees.deletedBranches).toEqual([`harness/${submitted.id.slice(0, 8)}`]);
  });

  it('requeues a rate-limited task with back-off and starts it again only once the back-off has passed', async () => {
    const claude = new ScriptedAgentRunner('claude', [
      { outcome: { ok: false, reason: 'rate_limited', message: 'slow down' } },
      FAILS,
    ]);
    const { engine, tasks } = engines.make({ agents: [claude], tickMs: 1000 });
    await engine.start();
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'x' });
    const requeued = await tasks.whenTask(submitted.id, (t) => t.status === 'queued' && t.attempt === 2);
    // First attempt: one minute of back-off from when the agent reported the limit.
    expect(requeued).toMatchObject({
      notBefore: '2026-11-23T10:01:00.000Z',
      error: 'rate limited: slow down',
      leaseOwner: undefined,
      worktree: undefined,
    });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(claude.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    await claude.whenCalled(2);
    expect(await tasks.whenTask(submitted.id, (t) => t.status === 'failed')).toMatchObject({
      attempt: 2,
      notBefore: undefined,
    });
  });

  it('waits for the reset time the agent gave, and fails the task once its attempts are used up', async () => {
    const limited = {
      outcome: { ok: false, reason: 'rate_limited', message: 'quota' },
      rateLimitResetAt: '2026-11-23T10:30:00.000Z',
    } as const;
    const claude = new ScriptedAgentRunner('claude', () => limited);
    const { engine, tasks } = engines.make({ agents: [claude] });
    await engine.start();
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'x' });
    expect(await tasks.whenTask(submitted.id, (t) => t.attempt === 2 && t.status === 'queued')).toMatchObject({
      notBefore: '2026-11-23T10:30:00.000Z',
    });
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    // The reset time has passed: the second attempt backs off two minutes.
    expect(await tasks.whenTask(submitted.id, (t) => t.attempt === 3 && t.status === 'queued')).toMatchObject({
      notBefore: '2026-11-23T10:32:00.000Z',
    });
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(await tasks.whenTask(submitted.id, (t) => t.status === 'failed')).toMatchObject({
      attempt: 3,
      failureClass: 'rate_limited',
    });
    expect(claude.calls).toHaveLength(3);
  });
});
