import { AppError } from '@agent-harness/core';
import {
  ACTIVE_STATUSES,
  TaskRepository,
  type ClaimedTask,
  type ClaimRequest,
  type LeaseCheck,
  type NewTaskEvent,
  type StoredTaskEvent,
  type Task,
  type TaskChanges,
  type TaskCount,
  type TaskCreation,
  type TaskListFilter,
  type TaskListing,
  type TaskStatus,
  type TaskWork,
} from '@agent-harness/queue';
import type { DataSource, EntityManager } from 'typeorm';
import { TaskEntity, TaskEventEntity, type TaskRow } from './task.entity.js';
import { eventFromRow, rowChanges, rowFromTask, taskFromRow } from './task.mapper.js';
import { selectListings, selectTasks, taskCountsWhere, taskSearchClauses } from './task-queries.js';
import { TaskCreateBatcher } from './task-create-batcher.js';
import { databaseKind, sqlRows } from '../sql.js';
import { claimQueuedTasks } from './task-claims.js';

/** What a task id prefix may hold: ids are lower-case UUIDs. */
const TASK_ID_PREFIX = /^[0-9a-f-]{1,36}$/;

/** Escapes LIKE's wildcards (and the escape character itself) so a prefix matches literally. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Tasks and their event logs in SQL (SQLite today; nothing here is SQLite-only). Writes are
 * serialized in this process, and each runs in one transaction, so a status change and its event
 * land together or not at all.
 * @public
 */
/** Event rows per INSERT statement (5 parameters each: well under either engine's limit). */
const EVENT_ROWS_PER_INSERT = 200;

export class TypeOrmTaskRepository extends TaskRepository {
  private writes: Promise<unknown> = Promise.resolve();
  private readonly creates: TaskCreateBatcher;

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    super();
    this.creates = new TaskCreateBatcher({ dataSource, now, serialized: (work) => this.serialized(work) });
  }

  /** Runs `work` after every write queued before it: one writer at a time in this process. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work);
    this.writes = next.catch(() => undefined);
    return next;
  }

  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.serialized(() => this.dataSource.transaction(work));
  }

  /**
   * Appends an event numbered from the task row, in the caller's transaction: the row's counter is
   * raised first, so two writers (two servers sharing a database) can never take the same number.
   */
  private async insertEvent(manager: EntityManager, taskId: string, event: NewTaskEvent): Promise<StoredTaskEvent> {
    const [stored] = await this.insertEvents(manager, taskId, [event]);
    if (stored === undefined) throw new AppError('INTERNAL', `no event stored for task ${taskId}`);
    return stored;
  }

  /**
   * Appends events in order, in the caller's transaction: the task row's counter is raised by their
   * number at once (and read back, `RETURNING`), then they are inserted a few hundred rows per
   * statement. Plain SQL: this is the hot path of every agent's output.
   */
  private async insertEvents(
    manager: EntityManager,
    taskId: string,
    events: readonly NewTaskEvent[],
  ): Promise<StoredTaskEvent[]> {
    if (events.length === 0) return [];
    const [raised] = await sqlRows<{ last_event_seq: number | string }>(
      manager,
      'UPDATE tasks SET last_event_seq = last_event_seq + ? WHERE id = ? RETURNING last_event_seq',
      [events.length, taskId],
    );
    if (raised === undefined) throw new AppError('NOT_FOUND', `no task ${taskId}`);
    const first = Number(raised.last_event_seq) - events.length + 1;
    const createdAt = this.now();
    const rows = events.map((event, i) => ({
      task_id: taskId,
      seq: first + i,
      kind: event.kind,
      data: JSON.stringify(event.data ?? null),
      created_at: createdAt,
    }));
    for (let start = 0; start < rows.length; start += EVENT_ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + EVENT_ROWS_PER_INSERT);
      await sqlRows(
        manager,
        `INSERT INTO task_events (task_id, seq, kind, data, created_at) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((row) => [row.task_id, row.seq, row.kind, row.data, row.created_at]),
      );
    }
    return rows.map(eventFromRow);
  }

  /**
   * Stored (committed) when it resolves. Creates that arrive while a write is under way share one
   * transaction (group commit): one sync to disk for many submits. The unfinished task doing the
   * same work wins over a new one by a unique index (see task-create-batcher.ts).
   */
  create(task: Task, event: NewTaskEvent): Promise<TaskCreation> {
    return this.creates.add(rowFromTask(task), event);
  }

  async latestForWork(work: TaskWork): Promise<Task | undefined> {
    const [column, value] = work.issue !== undefined ? ['issue', work.issue] : ['pr', work.pr];
    // The unfinished one first (there is at most one), then the newest; a piece of work has few tasks.
    const [row] = await sqlRows<TaskRow>(
      this.dataSource,
      `SELECT * FROM tasks WHERE project = ? AND ${column} = ? ORDER BY CASE WHEN status IN ('done', 'failed', 'cancelled') THEN 1 ELSE 0 END, created_at DESC, id DESC LIMIT 1`,
      [work.project, value],
    );
    return row === undefined ? undefined : taskFromRow(row);
  }

  async get(id: string): Promise<Task | undefined> {
    const row = await this.dataSource.getRepository(TaskEntity).findOneBy({ id });
    return row === null ? undefined : taskFromRow(row);
  }

  async findIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    if (!TASK_ID_PREFIX.test(prefix))
      throw new AppError('INVALID_ARGUMENT', 'a task id prefix holds only the characters 0-9, a-f and "-"');
    const rows = await this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .where("t.id LIKE :pattern ESCAPE '\\'", { pattern: `${escapeLike(prefix)}%` })
      .orderBy('t.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  update(
    id: string,
    expectedVersion: number,
    changes: TaskChanges,
    event?: NewTaskEvent,
    expectedStatus?: TaskStatus,
    closing?: NewTaskEvent,
  ): Promise<{ task: Task; event?: StoredTaskEvent | undefined; closing?: StoredTaskEvent | undefined }> {
    return this.write(async (manager) => {
      const values = {
        ...rowChanges({ ...changes, updatedAt: changes.updatedAt ?? this.now() }),
        version: expectedVersion + 1,
      };
      const query = manager
        .createQueryBuilder()
        .update(TaskEntity)
        .set(values)
        .where('id = :id AND version = :version', { id, version: expectedVersion });
      if (expectedStatus !== undefined) query.andWhere('status = :expectedStatus', { expectedStatus });
      const result = await query.execute();
      if (result.affected !== 1) {
        const expected = `version ${String(expectedVersion)}${expectedStatus === undefined ? '' : `, status ${expectedStatus}`}`;
        throw new AppError('CONFLICT', `task ${id} was changed by someone else (expected ${expected})`);
      }
      const row = await manager.findOneByOrFail(TaskEntity, { id });
      const stored = event === undefined ? undefined : await this.insertEvent(manager, id, event);
      const storedClosing = closing === undefined ? undefined : await this.insertEvent(manager, id, closing);
      return { task: taskFromRow(row), event: stored, closing: storedClosing };
    });
  }

  async renewLeases(owner: string, taskIds: readonly string[], until: string): Promise<LeaseCheck> {
    if (taskIds.length === 0) return { lost: [], cancelRequested: [] };
    const ids = [...taskIds];
    // On PostgreSQL a heartbeat does not wait behind this server's other writes: under load the
    // queue could hold it past the lease, and another server would take a task that still runs.
    // SQLite has one connection, which takes one transaction at a time.
    const transaction = <T>(work: (manager: EntityManager) => Promise<T>): Promise<T> =>
      databaseKind(this.dataSource) === 'postgres' ? this.dataSource.transaction(work) : this.write(work);
    const rows = await transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .update(TaskEntity)
        .set({ lease_expires_at: until })
        .where('lease_owner = :owner AND id IN (:...ids) AND status IN (:...active)', {
          owner,
          ids,
          active: [...ACTIVE_STATUSES],
        })
        .execute();
      return manager
        .createQueryBuilder(TaskEntity, 't')
        .select(['t.id', 't.status', 't.lease_owner', 't.cancel_requested_at'])
        .where('t.id IN (:...ids)', { ids })
        .getMany();
    });
    const held = new Set(
      rows
        .filter((r) => r.lease_owner === owner && (ACTIVE_STATUSES as readonly string[]).includes(r.status))
        .map((r) => r.id),
    );
    return {
      lost: ids.filter((id) => !held.has(id)),
      cancelRequested: rows.filter((r) => held.has(r.id) && r.cancel_requested_at !== null).map((r) => r.id),
    };
  }

  claimQueued(request: ClaimRequest): Promise<ClaimedTask[]> {
    return this.write((manager) =>
      claimQueuedTasks(manager, request, (m, id, event) => this.insertEvent(m, id, event)),
    );
  }

  async requestCancel(id: string, at: string): Promise<boolean> {
    const result = await this.write((manager) =>
      manager
        .createQueryBuilder()
        .update(TaskEntity)
        .set({ cancel_requested_at: at })
        .where('id = :id AND status IN (:...active)', { id, active: [...ACTIVE_STATUSES] })
        .execute(),
    );
    return result.affected === 1;
  }

  appendEvent(taskId: string, event: NewTaskEvent): Promise<StoredTaskEvent> {
    return this.write((manager) => this.insertEvent(manager, taskId, event));
  }

  appendEvents(taskId: string, events: readonly NewTaskEvent[]): Promise<StoredTaskEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    return this.write((manager) => this.insertEvents(manager, taskId, events));
  }

  async eventsAfter(
    taskId: string,
    afterSeq: number,
    limit: number,
    kinds?: readonly NewTaskEvent['kind'][],
  ): Promise<StoredTaskEvent[]> {
    const query = this.dataSource
      .getRepository(TaskEventEntity)
      .createQueryBuilder('e')
      .where('e.task_id = :taskId AND e.seq > :afterSeq', { taskId, afterSeq });
    if (kinds !== undefined) query.andWhere('e.kind IN (:...kinds)', { kinds });
    const rows = await query.orderBy('e.seq', 'ASC').limit(limit).getMany();
    return rows.map(eventFromRow);
  }

  async list(filter: TaskListFilter): Promise<{ tasks: TaskListing[]; total: number }> {
    const where = { status: filter.status, project: filter.project };
    const searched = taskSearchClauses(filter);
    const tasks = await selectListings(this.dataSource, {
      ...where,
      agent: filter.agent,
      search: filter.search,
      after: filter.after,
      newestFirst: true,
      limit: filter.limit,
      offset: filter.offset,
    });
    if (searched.sql !== '') {
      // The kept counts know status and project only: a filtered total is counted from the rows.
      const counted = taskCountsWhere(where);
      const clauses = [counted.sql.replace(/^ WHERE /, ''), searched.sql].filter((c) => c !== '').join(' AND ');
      const [row] = await sqlRows<{ total: number | string }>(
        this.dataSource,
        `SELECT COUNT(*) AS total FROM tasks WHERE ${clauses}`,
        [...counted.params, ...searched.params],
      );
      return { tasks, total: Number(row?.total ?? 0) };
    }
    const counted = taskCountsWhere(where);
    // PostgreSQL answers SUM as text.
    const [sum] = await sqlRows<{ total: number | string }>(
      this.dataSource,
      `SELECT COALESCE(SUM(count), 0) AS total FROM task_counts${counted.sql}`,
      counted.params,
    );
    return { tasks, total: Number(sum?.total ?? 0) };
  }

  async withStatus(statuses: readonly TaskStatus[], oldestFirst: boolean, limit?: number): Promise<Task[]> {
    if (limit === undefined || statuses.length < 2) {
      const rows = await selectTasks(this.dataSource, { statuses, newestFirst: !oldestFirst, limit });
      return rows.map(taskFromRow);
    }
    // One index range per status, merged: an IN over several statuses would sort every match.
    const perStatus = await Promise.all(
      statuses.map((status) => selectTasks(this.dataSource, { statuses: [status], newestFirst: !oldestFirst, limit })),
    );
    const order = (a: TaskRow, b: TaskRow): number =>
      (a.created_at === b.created_at ? compare(a.id, b.id) : compare(a.created_at, b.created_at)) *
      (oldestFirst ? 1 : -1);
    return perStatus.flat().sort(order).slice(0, limit).map(taskFromRow);
  }

  async countWithStatus(statuses: readonly TaskStatus[]): Promise<number> {
    if (statuses.length === 0) return 0;
    const rows = await sqlRows<{ total: number | string }>(
      this.dataSource,
      `SELECT COALESCE(SUM(count), 0) AS total FROM task_counts WHERE status IN (${statuses.map(() => '?').join(', ')})`,
      statuses,
    );
    return Number(rows[0]?.total ?? 0);
  }

  /** From `task_counts`, which triggers keep in step with `tasks` (see task-counts.ts). */
  async countByProjectAndStatus(): Promise<TaskCount[]> {
    const rows = await sqlRows<TaskCount>(
      this.dataSource,
      'SELECT project, status, count FROM task_counts WHERE count > 0',
    );
    return rows.map((r) => ({ project: r.project, status: r.status, count: r.count }));
  }
}

/** Compares as SQLite's BINARY collation does for these ASCII values. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
