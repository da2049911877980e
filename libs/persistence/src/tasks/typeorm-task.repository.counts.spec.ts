import { taskListing, type Task, type TaskStatus } from '@agent-harness/queue';
import { taskFixture } from '@agent-harness/testing';
import { TableColumn } from 'typeorm';
import { beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestDatabase } from '../../test/test-database.js';
import { sqlRows } from '../sql.js';
import { TypeOrmTaskRepository } from './typeorm-task.repository.js';

/** A task created at `createdAt` (and last updated then). */
const newTask = (id: string, createdAt: string, overrides: Partial<Task> = {}): Task =>
  taskFixture(id, { createdAt, updatedAt: createdAt, ...overrides });

const at = (second: number): string => new Date(Date.UTC(2026, 10, 23, 10, 0, second)).toISOString();
const event = { kind: 'status', data: { to: 'queued' } } as const;

describe.each(DATABASE_KINDS)('TypeOrmTaskRepository counts, keyset pages and group commit (real %s)', (kind) => {
  const db = useTestDatabase(kind);
  let repo: TypeOrmTaskRepository;
  beforeEach(() => {
    repo = new TypeOrmTaskRepository(db.database.dataSource);
  });

  const counts = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await repo.countByProjectAndStatus()).map((c) => [`${c.project}/${c.status}`, c.count]));

  it('keeps counts per project and status through creates, status changes, raw SQL writes and deletes', async () => {
    await repo.create(newTask('t1', at(1)), event);
    await repo.create(newTask('t2', at(2), { project: 'b' }), event);
    await repo.update('t1', 1, { status: 'preparing' });
    await repo.update('t1', 2, { worktree: '/w' }); // no status change: counts stay
    expect(await counts()).toEqual({ 'app/preparing': 1, 'b/queued': 1 });
    await sqlRows(db.database.dataSource, `UPDATE tasks SET status = 'done' WHERE id = 't1'`);
    await sqlRows(
      db.database.dataSource,
      `INSERT INTO tasks (id, project, kind, status, attempt, input_tokens, output_tokens, created_at, updated_at, version) VALUES ('t3', 'b', 'prompt', 'queued', 1, 0, 0, ?, ?, 1)`,
      [at(3), at(3)],
    );
    expect(await counts()).toEqual({ 'app/done': 1, 'b/queued': 2 });
    expect(await repo.countWithStatus(['queued', 'done'])).toBe(3);
    expect(await repo.countWithStatus([])).toBe(0);
    await sqlRows(db.database.dataSource, `DELETE FROM tasks WHERE id = 't2'`);
    expect(await counts()).toEqual({ 'app/done': 1, 'b/queued': 1 });
    expect((await repo.list({ project: 'b', limit: 10, offset: 0 })).total).toBe(1);
    expect((await repo.list({ status: 'done', limit: 10, offset: 0 })).total).toBe(1);
  });

  it('reinstalls the counting triggers and recounts when a migration rebuilt the tasks table', async () => {
    await repo.create(newTask('t1', at(1)), event);
    // What TypeORM does on SQLite for a new column: a new table, copied, renamed (triggers dropped).
    // PostgreSQL alters the table in place and keeps them.
    const runner = db.database.dataSource.createQueryRunner();
    await runner.addColumn('tasks', new TableColumn({ name: 'extra', type: 'varchar', isNullable: true }));
    await runner.release();
    repo = new TypeOrmTaskRepository((await db.reopen()).dataSource);
    await repo.create(newTask('t2', at(2)), event);
    expect(await counts()).toEqual({ 'app/queued': 2 });
  });

  it('pages newest first by keyset, ties on created_at broken by id, the same as by offset', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = `t${String(i).padStart(2, '0')}`;
      ids.push(id);
      await repo.create(newTask(id, at(Math.floor(i / 3)), { status: i % 2 === 0 ? 'done' : 'failed' }), event);
    }
    const newestFirst = [...ids].reverse();
    const byKeyset: string[] = [];
    let after: { createdAt: string; id: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const { tasks, total } = await repo.list({ limit: 5, offset: 0, after });
      expect(total).toBe(12);
      byKeyset.push(...tasks.map((t) => t.id));
      const last = tasks.at(-1);
      if (tasks.length < 5 || last === undefined) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(byKeyset).toEqual(newestFirst);
    expect((await repo.list({ limit: 5, offset: 5 })).tasks.map((t) => t.id)).toEqual(newestFirst.slice(5, 10));
    const failed = await repo.list({ status: 'failed', limit: 2, offset: 0, after: { createdAt: at(2), id: 't07' } });
    expect(failed.tasks.map((t) => t.id)).toEqual(['t05', 't03']);
    expect(failed.total).toBe(6);
    // A listed task is the listing of the one read alone.
    const alone = await repo.get('t11');
    expect((await repo.list({ limit: 1, offset: 0 })).tasks[0]).toEqual(alone && taskListing(alone));
  });

  it('takes the newest of several statuses with a limit across all of them', async () => {
    const statuses: TaskStatus[] = ['done', 'failed', 'done', 'done', 'failed', 'cancelled'];
    for (const [i, status] of statuses.entries()) await repo.create(newTask(`t${String(i)}`, at(i), { status }), event);
    expect((await repo.withStatus(['done', 'failed'], false, 3)).map((t) => t.id)).toEqual(['t4', 't3', 't2']);
    expect((await repo.withStatus(['done', 'failed'], true, 2)).map((t) => t.id)).toEqual(['t0', 't1']);
    expect((await repo.withStatus(['failed', 'cancelled'], true)).map((t) => t.id)).toEqual(['t1', 't4', 't5']);
  });

  it('stores concurrent creates together and answers each only once stored; a bad one fails alone', async () => {
    await repo.create(newTask('dup', at(0)), event);
    const creates = Array.from({ length: 40 }, (_, i) =>
      repo.create(newTask(i === 17 ? 'dup' : `c${String(i)}`, at(1)), event),
    );
    const outcomes = await Promise.allSettled(creates);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect(outcomes[17]?.status).toBe('rejected');
    expect(outcomes[0]).toMatchObject({
      status: 'fulfilled',
      value: { created: true, event: { taskId: 'c0', seq: 1, kind: 'status', data: { to: 'queued' } } },
    });
    expect(await repo.countWithStatus(['queued'])).toBe(40);
    // Numbered from the row: the next event of a grouped task is 2.
    expect((await repo.appendEvent('c5', { kind: 'log', data: {} })).seq).toBe(2);
    expect((await repo.eventsAfter('c39', 0, 10)).map((e) => e.seq)).toEqual([1]);
  });
});

// Query plans are each engine's own: SQLite's are checked here.
describe('TypeOrmTaskRepository list queries (real SQLite query plans)', () => {
  const db = useTestDatabase('sqlite');

  it('answers the list queries from indexes, without sorting the table', async () => {
    const plan = async (sql: string): Promise<string> =>
      (await db.database.dataSource.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql}`))
        .map((r) => r.detail)
        .join('\n');
    for (const where of [
      "WHERE status = 'failed'",
      "WHERE project = 'app'",
      "WHERE project = 'app' AND status = 'done'",
      '',
      "WHERE status = 'done' AND (created_at, id) < ('x', 'y')",
    ]) {
      const detail = await plan(`SELECT * FROM tasks ${where} ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET 5000`);
      expect(detail, where).not.toMatch(/TEMP B-TREE/);
      expect(detail, where).toMatch(/USING INDEX/);
    }
  });
});
