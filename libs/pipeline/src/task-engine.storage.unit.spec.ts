import { toAppError } from '@agent-harness/core';
import type {
  ClaimedTask,
  ClaimRequest,
  LeaseCheck,
  NewTaskEvent,
  StoredTaskEvent,
  Task,
  TaskChanges,
  TaskCreation,
} from '@agent-harness/queue';
import { InMemoryTaskRepository, ScriptedAgentRunner } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FAILS, unitEngines } from '../test/unit-engine.js';

/** What better-sqlite3 throws on a full disk, wrapped as TypeORM wraps it. */
function sqliteFull(): Error {
  const driverError = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  return Object.assign(new Error('database or disk is full'), { driverError });
}

/** A task store on a disk that can fill up: every write fails while `full`. */
class DiskBackedTasks extends InMemoryTaskRepository {
  full = false;
  /** Only the agents' events fail: the run goes on, its stream cannot be stored. */
  agentEventsFail = false;
  private check(): Promise<void> {
    return this.full ? Promise.reject(sqliteFull()) : Promise.resolve();
  }
  override async create(task: Task, event: NewTaskEvent): Promise<TaskCreation> {
    await this.check();
    return super.create(task, event);
  }
  override async update(
    id: string,
    version: number,
    changes: TaskChanges,
    event?: NewTaskEvent,
    expectedStatus?: Task['status'],
    closing?: NewTaskEvent,
  ): ReturnType<InMemoryTaskRepository['update']> {
    await this.check();
    return super.update(id, version, changes, event, expectedStatus, closing);
  }
  override async appendEvent(taskId: string, event: NewTaskEvent): Promise<StoredTaskEvent> {
    if (this.agentEventsFail && event.kind === 'agent') throw sqliteFull();
    await this.check();
    return super.appendEvent(taskId, event);
  }
  override async appendEvents(taskId: string, events: readonly NewTaskEvent[]): Promise<StoredTaskEvent[]> {
    if (this.agentEventsFail && events.some((event) => event.kind === 'agent')) throw sqliteFull();
    await this.check();
    return super.appendEvents(taskId, events);
  }
  override async renewLeases(owner: string, taskIds: readonly string[], until: string): Promise<LeaseCheck> {
    if (taskIds.length > 0) await this.check();
    return super.renewLeases(owner, taskIds, until);
  }
  override async claimQueued(request: ClaimRequest): Promise<ClaimedTask[]> {
    await this.check();
    return super.claimQueued(request);
  }
}

const STORAGE_LINE =
  "error: storage unavailable: the disk holding Harness's data is full (SQLITE_FULL; /data: 0 B free of 8.0 MiB); dispatch paused, it resumes by itself once writes succeed again";
const RESUMED_LINE = 'storage writable again: dispatch resumed';

/** Lets the (fake) clock run until `done` holds; the dispatcher's ticks probe storage once a second. */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 120 && !(await done()); i++) await vi.advanceTimersByTimeAsync(500);
  expect(await done()).toBe(true);
}

// A full disk on in-memory ports: writes fail with SQLITE_FULL, the probe fails until "space is freed".
describe('TaskEngine on a full disk (unit)', () => {
  const engines = unitEngines();
  let disk: DiskBackedTasks;
  let probeFails: boolean;
  const storage = {
    probe: () => (probeFails ? Promise.reject(sqliteFull()) : Promise.resolve()),
    where: () => '/data: 0 B free of 8.0 MiB',
  };
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00.000Z') });
    disk = new DiskBackedTasks();
    probeFails = false;
  });
  afterEach(async () => {
    await engines.stopAll();
    vi.useRealTimers();
  });

  it('refuses a task with STORAGE_UNAVAILABLE, pauses dispatch with one line, and resumes by itself', async () => {
    const claude = new ScriptedAgentRunner('claude', () => FAILS);
    const { engine, logs } = engines.make({ agents: [claude], tasks: disk, storage });
    await engine.start();
    disk.full = true;
    probeFails = true;
    const refused = await engine.submit({ kind: 'prompt', prompt: 'no room' }).catch((error: unknown) => error);
    expect(toAppError(refused)).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: "the disk holding Harness's data is full (SQLITE_FULL): nothing was written; retry once it is fixed",
    });
    expect(engine.storage?.closed).toBe(true);
    // Room for a row, not for a probe's mebibyte: the task is stored, and waits.
    disk.full = false;
    const queued = await engine.submit({ kind: 'prompt', prompt: 'waits' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(claude.calls).toHaveLength(0);
    expect((await disk.get(queued.id))?.status).toBe('queued');
    probeFails = false;
    await until(async () => (await disk.get(queued.id))?.status === 'failed');
    expect(logs.filter((line) => line.includes('storage'))).toEqual([STORAGE_LINE, RESUMED_LINE]);
  });

  it('a run whose writes fail on a full disk goes back to the queue, and runs again once storage is back', async () => {
    const claude = new ScriptedAgentRunner('claude', [{ hold: true, outcome: FAILS.outcome }, FAILS]);
    const { engine, logs } = engines.make({ agents: [claude], tasks: disk, storage });
    await engine.start();
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'interrupted' });
    await claude.whenCalled(1);
    disk.full = true;
    probeFails = true;
    claude.release();
    await vi.advanceTimersByTimeAsync(10_000);
    // Nothing could be written: the row still says running, under this server's lease.
    expect((await disk.get(submitted.id))?.status).toBe('running');
    expect(claude.calls).toHaveLength(1);
    disk.full = false;
    probeFails = false;
    await until(async () => (await disk.get(submitted.id))?.status === 'failed');
    expect(claude.calls).toHaveLength(2);
    expect((await disk.get(submitted.id))?.attempt).toBe(1);
    expect(logs).toContain('requeued 1 task(s) whose run ended while storage was unavailable');
    expect(logs.filter((line) => line.startsWith('error: storage'))).toEqual([STORAGE_LINE]);
  });

  it("an agent's events that cannot be stored never end the process: the run goes back to the queue", async () => {
    // The chain storing the events was awaited only when the agent ended: its rejection went unheard
    // meanwhile, and Node ends a process on an unhandled rejection (vitest fails the run on one).
    const text = { type: 'text', text: 'working' } as const;
    const claude = new ScriptedAgentRunner('claude', [
      { events: [text, text], hold: true, outcome: FAILS.outcome },
      FAILS,
    ]);
    const { engine, logs } = engines.make({ agents: [claude], tasks: disk, storage });
    await engine.start();
    disk.agentEventsFail = true;
    probeFails = true;
    const submitted = await engine.submit({ kind: 'prompt', prompt: 'streams' });
    await claude.whenCalled(1);
    await vi.advanceTimersByTimeAsync(5000);
    claude.release();
    await until(async () => (await disk.get(submitted.id))?.status === 'queued');
    expect(logs.filter((line) => line.startsWith('error: storage'))).toEqual([STORAGE_LINE]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(claude.calls).toHaveLength(1);
    disk.agentEventsFail = false;
    probeFails = false;
    await until(async () => (await disk.get(submitted.id))?.status === 'failed');
    expect(claude.calls).toHaveLength(2);
  });

  it('starts on a full disk: the recovery waits for storage, then runs before dispatch resumes', async () => {
    const claude = new ScriptedAgentRunner('claude', () => FAILS);
    const { engine, logs } = engines.make({ agents: [claude], tasks: disk, storage });
    // Left running by this server before it stopped.
    await disk.create(
      {
        id: '00000001-0000-4000-8000-000000000000',
        project: 'app',
        kind: 'prompt',
        prompt: 'left running',
        status: 'running',
        attempt: 1,
        inputTokens: 0,
        outputTokens: 0,
        validationRetries: 0,
        reviewRounds: 0,
        createdAt: '2026-11-23T09:00:00.000Z',
        updatedAt: '2026-11-23T09:00:00.000Z',
        leaseOwner: 'server-a',
        leaseExpiresAt: '2026-11-23T11:00:00.000Z',
        version: 2,
      },
      { kind: 'status', data: { from: 'preparing', to: 'running' } },
    );
    disk.full = true;
    probeFails = true;
    const report = await engine.start();
    expect(report.requeued).toEqual([]);
    expect(logs).toEqual([STORAGE_LINE]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await disk.get('00000001-0000-4000-8000-000000000000'))?.status).toBe('running');
    disk.full = false;
    probeFails = false;
    await until(() => claude.calls.length === 1);
    expect(claude.calls[0]?.request.prompt).toContain('left running');
    expect(logs).toContain(RESUMED_LINE);
  });
});
