import { taskFixture } from '@agent-harness/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmTaskRepository } from '../tasks/typeorm-task.repository.js';
import { TypeOrmGitHubIntakeStore } from './typeorm-github-intake-store.js';

describe.each(DATABASE_KINDS)('TypeOrmGitHubIntakeStore (real %s)', (kind) => {
  const db = useTestDatabase(kind);
  let store: TypeOrmGitHubIntakeStore;

  beforeEach(() => {
    store = new TypeOrmGitHubIntakeStore(db.database.dataSource);
  });

  const reopen = async (): Promise<void> => {
    store = new TypeOrmGitHubIntakeStore((await db.reopen()).dataSource);
  };

  it('takes a delivery id once, also after a restart; a released one can be taken again', async () => {
    const delivery = { id: 'd-1', event: 'issue_comment', receivedAt: '2026-11-25T10:00:00.000Z' };
    const racing = await Promise.all([store.claimDelivery(delivery), store.claimDelivery(delivery)]);
    expect(racing.sort()).toEqual([false, true]);
    await store.setDeliveryTask('d-1', 'task-1');
    await reopen();
    expect(await store.claimDelivery(delivery)).toBe(false);
    expect(await store.getDelivery('d-1')).toEqual({ ...delivery, taskId: 'task-1' });
    await store.releaseDelivery('d-1');
    expect(await store.claimDelivery(delivery)).toBe(true);
  });

  it('prunes deliveries received before a time', async () => {
    await store.claimDelivery({ id: 'old', event: 'ping', receivedAt: '2026-10-01T00:00:00.000Z' });
    await store.claimDelivery({ id: 'new', event: 'ping', receivedAt: '2026-11-25T00:00:00.000Z' });
    expect(await store.pruneDeliveries('2026-11-01T00:00:00.000Z')).toBe(1);
    expect(await store.getDelivery('old')).toBeUndefined();
    expect(await store.getDelivery('new')).toBeDefined();
  });

  it('claims an intake issue once; again only when ignored and changed since, or claimed and stale', async () => {
    const claim = (number: number, issueUpdatedAt: string, now = '2026-11-25T10:00:00.000Z') =>
      store.claimIntakeIssue({
        repo: 'octo/app',
        number,
        issueUpdatedAt,
        now,
        staleBefore: '2026-11-25T09:55:00.000Z',
      });
    expect(await claim(1, 'u1')).toBe(true);
    expect(await claim(1, 'u1')).toBe(false);
    await store.settleIntakeIssue('octo/app', 1, { state: 'task', taskId: 'task-1' }, '2026-11-25T10:00:01.000Z');
    expect(await claim(1, 'u2')).toBe(false);

    expect(await claim(2, 'u1')).toBe(true);
    await store.settleIntakeIssue(
      'octo/app',
      2,
      { state: 'ignored', reason: 'eve may not' },
      '2026-11-25T10:00:01.000Z',
    );
    expect(await claim(2, 'u1')).toBe(false);
    expect(await claim(2, 'u2')).toBe(true);

    // A claim left by a poll that died is taken back once it is stale.
    expect(await claim(3, 'u1', '2026-11-25T09:00:00.000Z')).toBe(true);
    expect(await claim(3, 'u1')).toBe(true);
    expect(await claim(3, 'u1')).toBe(false);
    await store.releaseIntakeIssue('octo/app', 3);
    expect(await claim(3, 'u1')).toBe(true);

    await reopen();
    const records = await store.intakeIssues('octo/app', [1, 2, 3, 4]);
    expect(records.sort((a, b) => a.number - b.number)).toEqual([
      expect.objectContaining({ number: 1, state: 'task', taskId: 'task-1', issueUpdatedAt: 'u1' }),
      expect.objectContaining({ number: 2, state: 'claimed', issueUpdatedAt: 'u2', reason: undefined }),
      expect.objectContaining({ number: 3, state: 'claimed' }),
    ]);
    expect(await store.intakeIssues('other/repo', [1])).toEqual([]);
    const many = Array.from({ length: 1200 }, (_, i) => i + 1);
    expect(await store.intakeIssues('octo/app', many)).toHaveLength(3);
  });

  it('owes replies until the outcome is posted; failed attempts are counted', async () => {
    await store.addReply('t-1', '2026-11-25T10:00:00.000Z');
    await store.addReply('t-2', '2026-11-25T10:00:01.000Z');
    await store.addReply('t-1', '2026-11-25T11:00:00.000Z');
    await store.markReplyPosted('t-1', 'start', '2026-11-25T10:00:02.000Z');
    await store.replyFailed('t-2', 'GitHub: 502');
    await store.replyFailed('t-2', `GitHub: 503 ${'x'.repeat(5000)}`);
    expect((await store.pendingReplies(5, 10)).map((r) => r.taskId)).toEqual(['t-1', 't-2']);
    expect((await store.pendingReplies(2, 10)).map((r) => r.taskId)).toEqual(['t-1']);
    await store.markReplyPosted('t-1', 'outcome', '2026-11-25T10:05:00.000Z');
    await reopen();
    expect((await store.pendingReplies(5, 10)).map((r) => r.taskId)).toEqual(['t-2']);
    expect(await store.getReply('t-1')).toEqual({
      taskId: 't-1',
      createdAt: '2026-11-25T10:00:00.000Z',
      startPostedAt: '2026-11-25T10:00:02.000Z',
      outcomePostedAt: '2026-11-25T10:05:00.000Z',
      attempts: 0,
      lastError: undefined,
    });
    expect((await store.getReply('t-2'))?.lastError).toHaveLength(1000);
  });

  it('keeps a task origin with the task', async () => {
    const tasks = new TypeOrmTaskRepository(db.database.dataSource);
    const origin = { source: 'github' as const, via: 'webhook' as const, repo: 'octo/app', number: 7, actor: 'ann' };
    const task = taskFixture('task-origin', { origin });
    await tasks.create(task, { kind: 'status', data: { to: 'queued' } });
    await reopen();
    expect((await new TypeOrmTaskRepository(db.database.dataSource).get('task-origin'))?.origin).toEqual(origin);
  });
});
