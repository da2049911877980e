import { ScriptedAgentRunner } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { APP, FAILS, unitEngines } from '../test/unit-engine.js';

// Admission on in-memory ports: nothing refused is stored, and nothing waits for a slot.
describe('TaskEngine admission (unit)', () => {
  const engines = unitEngines();
  const unitEngine = engines.make;
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00.000Z') });
  });
  afterEach(async () => {
    await engines.stopAll();
    vi.useRealTimers();
  });

  it('refuses a task when the queue is full, naming the limit, and stores nothing', async () => {
    const { engine, tasks, worktrees } = unitEngine({
      maxConcurrent: 1,
      maxQueue: 2,
      agents: [new ScriptedAgentRunner('claude', [FAILS])],
    });
    worktrees.holdPreparing();
    await engine.start();
    const first = await engine.submit({ kind: 'prompt', prompt: 'runs' });
    await tasks.whenTask(first.id, (t) => t.status === 'preparing');
    await engine.submit({ kind: 'prompt', prompt: 'queued 1' });
    await engine.submit({ kind: 'prompt', prompt: 'queued 2' });
    await expect(engine.submit({ kind: 'prompt', prompt: 'too many' })).rejects.toMatchObject({
      code: 'QUEUE_FULL',
      message: 'the queue is full: 2 tasks are queued ([concurrency] max_queue_size = 2); retry later',
    });
    expect(tasks.all().map((t) => t.prompt)).toEqual(['runs', 'queued 1', 'queued 2']);
  });

  it('refuses an agent that is not configured, listing those that are', async () => {
    const { engine, tasks } = unitEngine({
      agents: [new ScriptedAgentRunner('claude'), new ScriptedAgentRunner('codex')],
    });
    await expect(engine.submit({ kind: 'prompt', prompt: 'x', agent: 'nope' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'agent: unknown agent "nope"; configured: claude, codex, or auto',
    });
    expect(tasks.all()).toEqual([]);
  });

  it('refuses the configured default agent when it is not installed, saying where the choice came from', async () => {
    const { engine, projects } = unitEngine({
      agents: [new ScriptedAgentRunner('claude'), new ScriptedAgentRunner('codex', [FAILS])],
      available: ['codex'],
    });
    await expect(engine.submit({ kind: 'prompt', prompt: 'x' })).rejects.toThrow(
      'agent: claude (from [agents] default_agent) is not installed on this server',
    );
    await projects.add({ ...APP, defaultAgent: 'codex' });
    await expect(engine.submit({ kind: 'prompt', prompt: 'x' })).resolves.toMatchObject({ status: 'queued' });
  });

  it('refuses any task when no agent is installed at all', async () => {
    const { engine, tasks } = unitEngine({
      agents: [new ScriptedAgentRunner('claude')],
      available: [],
      defaultAgent: 'auto',
    });
    await expect(engine.submit({ kind: 'prompt', prompt: 'x' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('no agent is available on this server') as unknown,
    });
    expect(tasks.all()).toEqual([]);
  });

  it('refuses an unknown or inactive project, and issue tasks without GitHub', async () => {
    const { engine } = unitEngine({
      projects: [APP, { ...APP, name: 'old', root: '/repos/old', isDefault: false, active: false }],
    });
    // Named as what it is: an inactive project, and how to turn it on.
    await expect(engine.submit({ kind: 'prompt', prompt: 'x', project: 'old' })).rejects.toThrow(
      'project: "old" is inactive and takes no new tasks (PATCH /api/projects/old {"active": true} turns it on)',
    );
    await expect(engine.submit({ kind: 'prompt', prompt: 'x', project: '/repos/old' })).rejects.toThrow(
      /"old" is inactive/,
    );
    await expect(engine.submit({ kind: 'prompt', prompt: 'x', project: 'new' })).rejects.toThrow(
      'project: unknown project "new" (known: app)',
    );
    await expect(engine.submit({ kind: 'issue', issue: 7 })).rejects.toThrow(
      'issue: issue tasks need GitHub access: start the server with GITHUB_TOKEN set',
    );
    await expect(engine.submit({ kind: 'prompt', prompt: 'x', project: '/repos/app/' })).resolves.toMatchObject({
      project: 'app',
    });
  });

  it('looks installed agents up at most every five seconds of the engine clock', async () => {
    const { engine, availabilityChecks } = unitEngine({ maxConcurrent: 0 });
    await engine.submit({ kind: 'prompt', prompt: 'a' });
    const afterFirst = availabilityChecks.count;
    expect(afterFirst).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(4000);
    await engine.submit({ kind: 'prompt', prompt: 'b' });
    expect(availabilityChecks.count).toBe(afterFirst);
    await vi.advanceTimersByTimeAsync(1001);
    await engine.submit({ kind: 'prompt', prompt: 'c' });
    expect(availabilityChecks.count).toBe(2 * afterFirst);
  });
});
