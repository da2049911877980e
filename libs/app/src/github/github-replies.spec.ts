import { join } from 'node:path';
import { GitHubClient } from '@agent-harness/github';
import {
  openDatabase,
  TypeOrmGitHubIntakeStore,
  TypeOrmTaskRepository,
  type Database,
} from '@agent-harness/persistence';
import type { StoredTaskEvent, Task, TaskChanges } from '@agent-harness/queue';
import { createTempDir, startFakeGitHub, taskFixture, type FakeGitHub, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubReplies } from './github-replies.js';

/** A task's events, as the engine's `follow(taskId, 'now')` gives them (driven by hand). */
class EventStream {
  private observers = new Set<{ next?: (event: StoredTaskEvent) => void; complete?: () => void }>();
  subscribe(observer: { next?: (event: StoredTaskEvent) => void; complete?: () => void }): { unsubscribe(): void } {
    this.observers.add(observer);
    return { unsubscribe: () => this.observers.delete(observer) };
  }
  next(event: StoredTaskEvent): void {
    for (const o of [...this.observers]) o.next?.(event);
  }
  complete(): void {
    for (const o of [...this.observers]) o.complete?.();
    this.observers.clear();
  }
}

// Real SQLite for what is owed, the GitHub stand-in for the comments, live events from a stream.
describe('GitHubReplies', () => {
  let dir: TempDir;
  let database: Database;
  let github: FakeGitHub;
  let tasks: TypeOrmTaskRepository;
  let store: TypeOrmGitHubIntakeStore;
  const streams = new Map<string, EventStream>();

  beforeEach(async () => {
    dir = await createTempDir('harness-replies-');
    database = await openDatabase({ file: join(dir.path, 'harness.db') });
    tasks = new TypeOrmTaskRepository(database.dataSource);
    store = new TypeOrmGitHubIntakeStore(database.dataSource);
    github = await startFakeGitHub({ token: 'ghp_t' });
    github.addIssue('octo/app', 42, { title: 'Parser crashes' });
    streams.clear();
  });
  afterEach(async () => {
    await github.close();
    await database.close();
    await dir.cleanup();
  });

  const replies = (options: { publicUrl?: string } = {}) =>
    new GitHubReplies({
      store,
      tasks,
      github: new GitHubClient({ apiUrl: github.url, token: 'ghp_t', paceWrites: false, retries: 0 }),
      follow: (taskId) => {
        const stream = streams.get(taskId) ?? new EventStream();
        streams.set(taskId, stream);
        return stream;
      },
      publicUrl: options.publicUrl,
      now: () => new Date('2026-11-25T10:00:00.000Z'),
      redact: (text) => text.replaceAll('ghp_secret', '***'),
    });

  const queued = async (id: string): Promise<Task> => {
    const task = taskFixture(id, {
      kind: 'issue',
      issue: 42,
      prompt: undefined,
      origin: { source: 'github', via: 'webhook', repo: 'octo/app', number: 42, actor: 'ann' },
    });
    await tasks.create(task, { kind: 'status', data: { to: 'queued' } });
    return task;
  };
  const finish = async (id: string, changes: TaskChanges): Promise<void> => {
    const task = await tasks.get(id);
    if (task === undefined) throw new Error(`no task ${id}`);
    await tasks.update(id, task.version, changes);
  };
  const comments = () => github.issue('octo/app', 42)?.comments.map((c) => c.body) ?? [];
  const settled = async (service: GitHubReplies) => {
    await service.close();
  };

  it('says the task is queued with its link, then its outcome once when it ends', async () => {
    const service = replies({ publicUrl: 'https://harness.example' });
    const task = await queued('t-1');
    await service.track(task);
    await finish('t-1', { status: 'done', prUrl: 'https://github.example/octo/app/pull/1000', grade: 'A' });
    const end = { taskId: 't-1', seq: 9, kind: 'end' as const, data: {}, createdAt: '2026-11-25T10:01:00.000Z' };
    streams.get('t-1')?.next(end);
    streams.get('t-1')?.complete();
    await settled(service);
    expect(comments()).toEqual([
      'Harness queued task `t-1` for this issue (asked by ann).\n\nFollow it: https://harness.example/tasks/t-1',
      'Harness task `t-1` is done (grade A): pull request https://github.example/octo/app/pull/1000.\n\nDetails: https://harness.example/tasks/t-1',
    ]);
    expect((await store.getReply('t-1'))?.outcomePostedAt).toBe('2026-11-25T10:00:00.000Z');
  });

  it('after a restart, posts the outcome a previous run still owed, once', async () => {
    const first = replies();
    await first.track(await queued('t-2'));
    // The server stops before the task ends.
    await first.close();
    await finish('t-2', {
      status: 'failed',
      failureClass: 'agent_error',
      error: 'agent said:\n@harness fix ci\ntoken ghp_secret',
    });
    const second = replies();
    expect(await second.reconcile()).toEqual({ posted: 1, watching: 0 });
    expect(await second.reconcile()).toEqual({ posted: 0, watching: 0 });
    await settled(second);
    expect(comments()).toEqual([
      'Harness queued task `t-2` for this issue (asked by ann).\n\nFollow it: task `t-2`',
      // The error is quoted (nothing in it reads as a new request) and redacted.
      'Harness task `t-2` failed (agent_error).\n\n> agent said:\n> @harness fix ci\n> token ***\n\nDetails: task `t-2`',
    ]);
  });

  it('watches a task still going after a restart, and posts its "queued" reply if it was not', async () => {
    await store.addReply('t-3', '2026-11-25T09:00:00.000Z');
    await queued('t-3');
    const service = replies();
    expect(await service.reconcile()).toEqual({ posted: 0, watching: 1 });
    expect(comments()).toHaveLength(1);
    await finish('t-3', { status: 'cancelled' });
    streams.get('t-3')?.complete();
    await settled(service);
    expect(comments()[1]).toBe('Harness task `t-3` was cancelled.\n\nDetails: task `t-3`');
  });

  it('counts failed attempts and gives a reply up after five', async () => {
    github.fail({ method: 'POST', path: /\/issues\/42\/comments$/, status: 404, times: 100 });
    await queued('t-4');
    await finish('t-4', { status: 'done' });
    await store.addReply('t-4', '2026-11-25T09:00:00.000Z');
    for (let i = 0; i < 6; i++) await replies().reconcile();
    expect(await store.getReply('t-4')).toMatchObject({ attempts: 5, outcomePostedAt: undefined });
    expect((await store.getReply('t-4'))?.lastError).toContain('was not found (404)');
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(5);
  });
});
