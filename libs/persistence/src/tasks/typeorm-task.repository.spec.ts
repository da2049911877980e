import { taskFixture as newTask } from '@agent-harness/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { TypeOrmTaskRepository } from './typeorm-task.repository.js';

describe.each(DATABASE_KINDS)('TypeOrmTaskRepository (real %s)', (kind) => {
  const db = useTestDatabase(kind);
  let repo: TypeOrmTaskRepository;
  beforeEach(() => {
    repo = new TypeOrmTaskRepository(db.database.dataSource);
  });

  it('stores the whole request and reads it back', async () => {
    const task = newTask('t1', { description: 'feat: x', agent: 'codex', model: 'gpt-5.5', issue: undefined });
    await repo.create(task, { kind: 'status', data: { to: 'queued' } });
    expect(await repo.get('t1')).toEqual(task);
    expect(await repo.get('nope')).toBeUndefined();
  });

  it("keeps a seeded task's branch and seed (GC adoption redoes them from the row after a restart)", async () => {
    const seed = {
      files: [{ path: '.harness/guards/g.sh', content: '#!/bin/sh\nexit 0\n', executable: true }],
      patches: ['--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-a\n+b\n'],
    };
    const task = newTask('t1', { headBranch: 'harness/gc-0123abcd', seed });
    await repo.create(task, { kind: 'status', data: { to: 'queued' } });
    expect(await repo.get('t1')).toEqual(task);
    const { task: updated } = await repo.update('t1', 1, { seed: undefined });
    expect(updated.seed).toBeUndefined();
    expect((await repo.get('t1'))?.seed).toBeUndefined();
  });

  it('updates with optimistic locking: a stale version is refused and changes nothing', async () => {
    await repo.create(newTask('t1'), { kind: 'status', data: { to: 'queued' } });
    const { task, event } = await repo.update(
      't1',
      1,
      { status: 'preparing', error: undefined },
      { kind: 'status', data: { to: 'preparing' } },
    );
    expect(task).toMatchObject({ status: 'preparing', version: 2 });
    expect(event?.seq).toBe(2);
    await expect(
      repo.update('t1', 1, { status: 'cancelled' }, { kind: 'status', data: { to: 'cancelled' } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await repo.get('t1'))?.status).toBe('preparing');
    expect((await repo.eventsAfter('t1', 0, 100)).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('guards a status change by the status it was read with, in the same statement as the version', async () => {
    await repo.create(newTask('t1'), { kind: 'status', data: { to: 'queued' } });
    // Right version, wrong status: as if another writer had moved it and the version were reused.
    await expect(
      repo.update('t1', 1, { status: 'preparing' }, { kind: 'status', data: { to: 'preparing' } }, 'running'),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await repo.get('t1')).toMatchObject({ status: 'queued', version: 1 });
    expect(await repo.eventsAfter('t1', 0, 10)).toHaveLength(1);
    expect((await repo.update('t1', 1, { status: 'preparing' }, undefined, 'queued')).task).toMatchObject({
      status: 'preparing',
      version: 2,
    });
  });

  it('numbers events per task without gaps, even when written concurrently', async () => {
    await repo.create(newTask('t1'), { kind: 'status', data: {} });
    await repo.create(newTask('t2'), { kind: 'status', data: {} });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => repo.appendEvent(i % 2 === 0 ? 't1' : 't2', { kind: 'agent', data: { i } })),
    );
    const t1 = await repo.eventsAfter('t1', 0, 100);
    expect(t1.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect((await repo.eventsAfter('t1', 19, 100)).map((e) => e.seq)).toEqual([20, 21]);
    expect((await repo.eventsAfter('t1', 0, 100, ['status'])).map((e) => e.seq)).toEqual([1]);
  });

  it('lists newest first with filters and paging, and counts by project and status', async () => {
    for (const [id, project, status] of [
      ['t1', 'a', 'done'],
      ['t2', 'a', 'queued'],
      ['t3', 'b', 'done'],
      ['t4', 'a', 'done'],
    ] as const) {
      await repo.create(newTask(id, { project, status }), { kind: 'status', data: {} });
    }
    const page = await repo.list({ project: 'a', status: 'done', limit: 1, offset: 0 });
    expect(page).toMatchObject({ total: 2, tasks: [{ id: 't4' }] });
    expect((await repo.list({ limit: 10, offset: 1 })).tasks.map((t) => t.id)).toEqual(['t3', 't2', 't1']);
    expect((await repo.withStatus(['done'], true)).map((t) => t.id)).toEqual(['t1', 't3', 't4']);
    expect(await repo.countByProjectAndStatus()).toEqual(
      expect.arrayContaining([
        { project: 'a', status: 'done', count: 2 },
        { project: 'a', status: 'queued', count: 1 },
        { project: 'b', status: 'done', count: 1 },
      ]),
    );
  });
});
