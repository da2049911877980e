import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstIllegalMove, type StoredTaskEvent, type Task, type TaskStatus } from '@agent-harness/queue';
import {
  processesInDirectory,
  readFakeAgentLog,
  type FakeAgentScenario,
  type TempDir,
  type TempGitRepo,
} from '@agent-harness/testing';
import { firstValueFrom, filter, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineFixture, type EngineOptions } from '../test/engine-fixture.js';
import type { TaskEngine } from './task-engine.js';

describe('TaskEngine (real SQLite, real git, scripted agent)', () => {
  let fixture: EngineFixture;
  let data: TempDir;
  let repo: TempGitRepo;

  beforeEach(async () => {
    fixture = await EngineFixture.create();
    data = fixture.data;
    repo = fixture.repo;
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  const startEngine = (scenario: FakeAgentScenario, options: EngineOptions = {}): Promise<TaskEngine> =>
    fixture.start(scenario, options);
  const tasks = () => fixture.tasks();
  const finished = (id: string): Promise<Task> => fixture.finished(id);
  const stopEngine = async (): Promise<void> => {
    await fixture.engine?.stop();
    fixture.engine = undefined;
  };

  it('runs a prompt task: agent edit committed by Harness on the task branch, worktree removed', async () => {
    const e = await startEngine({ edits: [{ path: 'hello.txt', content: 'hello\n' }], text: 'Created hello.txt' });
    const submitted = await e.submit({
      kind: 'prompt',
      prompt: 'Create hello.txt\nwith a greeting',
      description: 'feat: greeting file',
    });
    // A free slot: the task started before the submit answered.
    expect(submitted.status).toBe('preparing');
    const task = await finished(submitted.id);
    expect(task).toMatchObject({ status: 'done', agentUsed: 'claude', attempt: 1 });
    expect(task.branch).toMatch(new RegExp(`^harness/${submitted.id.slice(0, 8)}-feat-greeting-file$`));
    // The branch lives on origin, the record; no local copy or remote-tracking ref is left to pile up.
    expect(repo.git('for-each-ref', `refs/heads/${task.branch!}`, `refs/remotes/origin/${task.branch!}`)).toBe('');
    repo.git('fetch', '--quiet', 'origin', task.branch!);
    expect(repo.git('log', '-1', '--format=%s', 'FETCH_HEAD')).toBe('feat: greeting file');
    expect(repo.git('show', 'FETCH_HEAD:hello.txt')).toBe('hello');
    expect(repo.git('rev-parse', task.commit!)).toBe(task.commit);
    expect(existsSync(join(data.path, 'worktrees', submitted.id))).toBe(false);
    expect(repo.git('worktree', 'list')).not.toContain(submitted.id);
    const events = await tasks().eventsAfter(submitted.id, 0, 1000);
    expect(events.map((ev) => ev.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((ev) => ev.kind === 'status').map((ev) => (ev.data as { to: string }).to)).toEqual([
      'queued',
      'preparing',
      'running',
      'validating',
      'committing',
      'done',
    ]);
    expect(events.some((ev) => ev.kind === 'agent' && (ev.data as { type: string }).type === 'file_change')).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'end', data: { status: 'done' } });
  });

  it('feeds a validation failure back to the same agent session and passes on the retry', async () => {
    const counter = fixture.shared('validation-runs');
    const failsOnce = `n=$(cat ${counter} 2>/dev/null || echo 0); echo $((n+1)) > ${counter}; [ "$n" -ge 1 ] || { echo "lint: 1 problem in hello.txt"; exit 1; }`;
    const e = await startEngine(
      { edits: [{ path: 'hello.txt', content: 'hi\n' }], session: 'sess-v' },
      { preCommit: ['true', failsOnce] },
    );
    const submitted = await e.submit({ kind: 'prompt', prompt: 'Create hello.txt' });
    const task = await finished(submitted.id);
    expect(task).toMatchObject({ status: 'done', validationRetries: 1 });
    const calls = readFakeAgentLog(fixture.agentLog);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.argv).toEqual(expect.arrayContaining(['--resume', 'sess-v']));
    expect(calls[1]?.prompt).toContain('Validation failed (fix attempt 1 of 2)');
    expect(calls[1]?.prompt).toContain('lint: 1 problem in hello.txt');
    const validations = (await tasks().eventsAfter(submitted.id, 0, 1000, ['validation'])).map(
      (ev) => ev.data as { ok: boolean; outcomes: { command: string }[] },
    );
    expect(validations.map((v) => v.ok)).toEqual([false, true]);
    expect(validations[0]?.outcomes.map((o) => o.command)).toEqual(['true', failsOnce]);
  });

  it('fails the task when validation still fails after max_retries fixes', async () => {
    const e = await startEngine(
      { edits: [{ path: 'hello.txt', content: 'hi\n' }] },
      { preCommit: ['echo broken build; false'] },
    );
    const task = await finished((await e.submit({ kind: 'prompt', prompt: 'x' })).id);
    expect(task).toMatchObject({
      status: 'failed',
      validationRetries: 2,
      error: 'validation failed after 2 fix attempt(s): `echo broken build; false` exited with code 1',
      failureClass: 'validation_failed',
    });
    expect(readFakeAgentLog(fixture.agentLog)).toHaveLength(3);
  });

  it('fails a task whose agent changed nothing', async () => {
    const e = await startEngine({ text: 'Nothing to do.' });
    const task = await finished((await e.submit({ kind: 'prompt', prompt: 'noop' })).id);
    expect(task).toMatchObject({ status: 'failed', error: 'agent made no changes', failureClass: 'no_changes' });
  });

  it("fails with the agent's reason", async () => {
    const e = await startEngine({ outcome: 'error' });
    const task = await finished((await e.submit({ kind: 'prompt', prompt: 'x' })).id);
    expect(task).toMatchObject({ status: 'failed', failureClass: 'agent_error' });
    expect(task.error).toContain('claude failed');
  });

  it('requeues a rate-limited task with back-off', async () => {
    const e = await startEngine({ outcome: 'rate_limit_in_success' });
    const submitted = await e.submit({ kind: 'prompt', prompt: 'x' });
    let task: Task | undefined;
    for (let i = 0; i < 200 && task?.attempt !== 2; i++) {
      await new Promise((r) => setTimeout(r, 25));
      task = await tasks().get(submitted.id);
    }
    expect(task).toMatchObject({ status: 'queued', attempt: 2 });
    expect(Date.parse(task!.notBefore!)).toBeGreaterThan(Date.now() + 30_000);
  });

  it('refuses a task when the queue is full, without waiting', async () => {
    const e = await startEngine({ hang: 'after_init' }, { maxConcurrent: 1, maxQueue: 2 });
    await e.submit({ kind: 'prompt', prompt: 'runs' });
    await new Promise((r) => setTimeout(r, 300));
    await e.submit({ kind: 'prompt', prompt: 'queued 1' });
    await e.submit({ kind: 'prompt', prompt: 'queued 2' });
    await expect(e.submit({ kind: 'prompt', prompt: 'too many' })).rejects.toMatchObject({ code: 'QUEUE_FULL' });
  });

  it('holds the per-project limit', async () => {
    const e = await startEngine(
      { edits: [{ path: 'f.txt', content: 'x' }], delayMs: 150 },
      { maxConcurrent: 4, projectMax: 1 },
    );
    const ids = await Promise.all(
      [1, 2, 3].map((i) => e.submit({ kind: 'prompt', prompt: `task ${String(i)}` }).then((t) => t.id)),
    );
    let maxRunning = 0;
    // Bounded by time, not by polls: three sandboxed runs one after another on a busy machine.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const all = await Promise.all(ids.map((id) => tasks().get(id)));
      maxRunning = Math.max(
        maxRunning,
        all.filter((t) => t !== undefined && ['preparing', 'running', 'validating', 'committing'].includes(t.status))
          .length,
      );
      if (all.every((t) => t?.status === 'done')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(maxRunning).toBe(1);
    for (const id of ids) expect((await tasks().get(id))?.status).toBe('done');
  });

  it('cancels a running task: its agent is ended, its worktree removed', async () => {
    const e = await startEngine({ hang: 'after_init' });
    const submitted = await e.submit({ kind: 'prompt', prompt: 'hang' });
    const live = firstValueFrom(e.watch(submitted.id).pipe(filter((ev: StoredTaskEvent) => ev.kind === 'agent')));
    await live;
    const worktree = join(data.path, 'worktrees', submitted.id);
    expect(processesInDirectory(worktree).length).toBeGreaterThan(0);
    const cancelled = await e.cancel(submitted.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled by request', failureClass: 'cancelled' });
    expect(processesInDirectory(worktree)).toEqual([]);
    expect(existsSync(worktree)).toBe(false);
    await expect(e.cancel(submitted.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('streams live events to a watcher in order, ending with the end event', async () => {
    const e = await startEngine({ edits: [{ path: 'a.txt', content: 'a' }], delayMs: 50 });
    const submitted = await e.submit({ kind: 'prompt', prompt: 'x' });
    const seen = await firstValueFrom(e.watch(submitted.id).pipe(toArray()));
    expect(seen.at(-1)?.kind).toBe('end');
    const seqs = seen.map((ev) => ev.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('recovers its own tasks at start, takes back a dead sibling task by heartbeat, leaves a live sibling alone', async () => {
    const repository = tasks();
    const now = Date.now();
    const running = (id: string, leaseOwner: string, expiresInMs: number) =>
      repository.create(
        {
          id,
          project: 'app',
          kind: 'prompt',
          prompt: 'x',
          status: 'running',
          attempt: 1,
          inputTokens: 0,
          outputTokens: 0,
          validationRetries: 0,
          reviewRounds: 0,
          createdAt: new Date(now).toISOString(),
          updatedAt: new Date(now).toISOString(),
          version: 1,
          leaseOwner,
          leaseExpiresAt: new Date(now + expiresInMs).toISOString(),
        },
        { kind: 'status', data: { from: null, to: 'running' } },
      );
    await running('mine-before-restart', 'server-a', 60_000);
    await running('sibling-alive', 'server-b', 60_000);
    await running('sibling-dead', 'server-c', -1_000);
    const e = await startEngine({ hang: 'before_output' }, { maxConcurrent: 1, serverId: 'server-a' });
    expect((await repository.get('mine-before-restart'))?.attempt).toBe(2);
    // The first heartbeat (within 2 s) takes back the dead sibling's task.
    const deadline = Date.now() + 10_000;
    while ((await repository.get('sibling-dead'))?.attempt !== 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await e.stop();
    await stopEngine();
    expect((await repository.get('sibling-dead'))?.attempt).toBe(2);
    expect(await repository.get('sibling-alive')).toMatchObject({
      status: 'running',
      attempt: 1,
      leaseOwner: 'server-b',
    });
  });

  it('leases the tasks it runs and renews the lease while they run; a finished task holds none', async () => {
    const e = await startEngine({ hang: 'after_init' }, { serverId: 'server-a' });
    const submitted = await e.submit({ kind: 'prompt', prompt: 'hang' });
    await firstValueFrom(e.watch(submitted.id).pipe(filter((ev: StoredTaskEvent) => ev.kind === 'agent')));
    const leased = await tasks().get(submitted.id);
    expect(leased).toMatchObject({ leaseOwner: 'server-a' });
    expect(Date.parse(leased?.leaseExpiresAt ?? '')).toBeGreaterThan(Date.now());
    await tasks().renewLeases('server-a', [submitted.id], '2999-01-01T00:00:00.000Z');
    expect((await tasks().get(submitted.id))?.leaseExpiresAt).toBe('2999-01-01T00:00:00.000Z');
    await tasks().renewLeases('server-b', [submitted.id], '1999-01-01T00:00:00.000Z');
    expect((await tasks().get(submitted.id))?.leaseExpiresAt).toBe('2999-01-01T00:00:00.000Z');
    const cancelled = await e.cancel(submitted.id);
    expect(cancelled.leaseOwner).toBeUndefined();
    expect(cancelled.leaseExpiresAt).toBeUndefined();
  });

  it('recovers after a crash: kills the orphaned agent, removes its worktree, requeues the task', async () => {
    const repository = tasks();
    const now = new Date().toISOString();
    const worktree = join(data.path, 'worktrees', 'crashed-task-0000');
    mkdirSync(worktree, { recursive: true });
    const orphan = spawn('sleep', ['600'], { cwd: worktree, detached: true, stdio: 'ignore' });
    const orphanDir = join(data.path, 'worktrees', 'nobody-owns-this');
    mkdirSync(orphanDir);
    await repository.create(
      {
        id: 'crashed-task-0000',
        project: 'app',
        kind: 'prompt',
        prompt: 'x',
        status: 'running',
        attempt: 1,
        worktree,
        inputTokens: 0,
        outputTokens: 0,
        validationRetries: 0,
        reviewRounds: 0,
        createdAt: now,
        updatedAt: now,
        version: 1,
      },
      { kind: 'status', data: { to: 'running' } },
    );
    await repository.create(
      {
        id: 'worn-out-task-000',
        project: 'app',
        kind: 'prompt',
        prompt: 'y',
        status: 'running',
        attempt: 3,
        inputTokens: 0,
        outputTokens: 0,
        validationRetries: 0,
        reviewRounds: 0,
        createdAt: now,
        updatedAt: now,
        version: 1,
      },
      { kind: 'status', data: { to: 'running' } },
    );
    const e = await startEngine({ hang: 'before_output' }, { maxConcurrent: 1 });
    await e.stop();
    await stopEngine();
    expect(() => process.kill(orphan.pid!, 0)).toThrow();
    expect(existsSync(worktree)).toBe(false);
    expect(existsSync(orphanDir)).toBe(false);
    const crashed = await repository.get('crashed-task-0000');
    expect(crashed).toMatchObject({ attempt: 2 });
    expect(['queued', 'preparing', 'running']).toContain(crashed?.status);
    expect(await repository.get('worn-out-task-000')).toMatchObject({
      status: 'failed',
      error: 'interrupted by a server restart while running, after 3 attempts',
      failureClass: 'interrupted',
    });
  });

  /** A task this server (server-a) was running when it died, its change pushed as `branch`. */
  const seedInterrupted = async (id: string, overrides: Partial<Task>): Promise<void> => {
    const now = new Date().toISOString();
    await tasks().create(
      {
        id,
        project: 'app',
        kind: 'prompt',
        prompt: 'x',
        status: 'committing',
        attempt: 1,
        inputTokens: 0,
        outputTokens: 0,
        validationRetries: 0,
        reviewRounds: 0,
        createdAt: now,
        updatedAt: now,
        version: 1,
        leaseOwner: 'server-a',
        leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
        ...overrides,
      },
      { kind: 'status', data: { from: null, to: 'queued' } },
    );
    // The history such a task has: every move up to where it was, so the whole of it replays.
    const path: TaskStatus[] = ['queued', 'preparing', 'running', 'validating', 'committing', 'reviewing'];
    const upTo = path.indexOf(overrides.status ?? 'committing');
    for (let i = 1; i <= upTo; i++)
      await tasks().appendEvent(id, { kind: 'status', data: { from: path[i - 1], to: path[i], attempt: 1 } });
  };
  const pushBranch = (branch: string): string => {
    repo.git('checkout', '--quiet', '-b', branch);
    const commit = repo.commitFile(`${branch.replaceAll('/', '-')}.txt`, 'work\n');
    repo.git('push', '--quiet', 'origin', branch);
    repo.git('checkout', '--quiet', 'main');
    return commit;
  };
  const statusHistory = async (id: string) =>
    (await tasks().eventsAfter(id, 0, 1000, ['status'])).map((e) => {
      const data = e.data as { from?: TaskStatus | null; to: TaskStatus };
      return { from: data.from ?? null, to: data.to };
    });

  it('ends a resumed task with nothing left to run (review off, or approved before the restart): preparing → done', async () => {
    const commit = pushBranch('harness/resumed1-x');
    await seedInterrupted('resumed1-0000', { branch: 'harness/resumed1-x', commit, checkpoint: 'published' });
    const approved = pushBranch('harness/resumed2-x');
    await seedInterrupted('resumed2-0000', {
      status: 'reviewing',
      branch: 'harness/resumed2-x',
      commit: approved,
      checkpoint: 'approved',
      reviewRounds: 1,
    });
    await startEngine({ hang: 'before_output' }, { serverId: 'server-a' });
    for (const id of ['resumed1-0000', 'resumed2-0000']) {
      const task = await finished(id);
      // Its error says why, should it fail (once seen under load in CI, not reproduced since).
      expect(task, `${id}: ${task.error ?? ''}`).toMatchObject({ status: 'done', attempt: 2 });
      const history = await statusHistory(id);
      // Recovery requeued it; the resumed run ends from preparing, a move the table allows.
      expect(history.slice(-3).map((m) => m.to)).toEqual(['queued', 'preparing', 'done']);
      expect(firstIllegalMove(history)).toBeUndefined();
    }
    expect((await finished('resumed2-0000')).reviewOutcome).toBe('approved');
    // Nobody ran an agent: the change was published, and reviewed where it had to be.
    expect(readFakeAgentLog(fixture.agentLog)).toEqual([]);
  });

  it("deletes a failed task's branch when nothing was pushed, keeps and names it when origin has it", async () => {
    repo.git('branch', 'harness/local001-x');
    await seedInterrupted('local001-0000', {
      attempt: 3,
      branch: 'harness/local001-x',
      commit: repo.git('rev-parse', 'HEAD'),
    });
    pushBranch('harness/pushed01-x');
    await seedInterrupted('pushed01-0000', { attempt: 3, branch: 'harness/pushed01-x' });
    await startEngine({ hang: 'before_output' }, { serverId: 'server-a' });
    const local = await finished('local001-0000');
    expect(local).toMatchObject({ status: 'failed', failureClass: 'interrupted', branch: undefined });
    expect(repo.git('branch', '--list', 'harness/local001-x')).toBe('');
    const pushed = await finished('pushed01-0000');
    expect(pushed).toMatchObject({ status: 'failed', branch: 'harness/pushed01-x' });
    expect(repo.git('ls-remote', '--heads', 'origin', 'harness/pushed01-x')).toContain('harness/pushed01-x');
    const logs = (await tasks().eventsAfter('pushed01-0000', 0, 100, ['log'])).map(
      (e) => (e.data as { message: string }).message,
    );
    expect(logs.some((m) => m.startsWith('branch harness/pushed01-x stays on origin at '))).toBe(true);
  });
});
