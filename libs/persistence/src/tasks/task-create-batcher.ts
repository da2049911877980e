import { AppError } from '@agent-harness/core';
import type { NewTaskEvent, TaskCreation } from '@agent-harness/queue';
import type { DataSource, EntityManager } from 'typeorm';
import { TaskEntity, type TaskEventRow, type TaskRow } from './task.entity.js';
import { eventFromRow, taskFromRow } from './task.mapper.js';
import { sqlRows } from '../sql.js';

/** At most this many creates share one transaction. */
const MAX_BATCH = 256;

const TASK_COLUMNS = Object.keys(TaskEntity.options.columns) as (keyof TaskRow)[];
const INSERT_TASK = `INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES (${TASK_COLUMNS.map(() => '?').join(', ')})`;
const INSERT_EVENT = 'INSERT INTO task_events (task_id, seq, kind, data, created_at) VALUES (?, ?, ?, ?, ?)';

/**
 * The predicate of the partial unique indexes `idx_tasks_unfinished_issue` and `…_pr` (migration
 * 1765700000000): a task that is not done, failed or cancelled. An upsert names the index it may
 * hit by its columns and this predicate, on SQLite and PostgreSQL alike.
 */
const UNFINISHED = "status NOT IN ('done', 'failed', 'cancelled')";
/** The work column of a row: the unique index its insert may hit. */
type WorkColumn = 'issue' | 'pr';
const insertUnlessWorkTaken = (column: WorkColumn): string =>
  `${INSERT_TASK} ON CONFLICT (project, ${column}) WHERE ${column} IS NOT NULL AND ${UNFINISHED} DO NOTHING RETURNING id`;
const SELECT_UNFINISHED = (column: WorkColumn): string =>
  `SELECT * FROM tasks WHERE project = ? AND ${column} = ? AND ${UNFINISHED} LIMIT 1`;
/** An unfinished task that ends between the conflict and the read is looked for again this often. */
const MAX_CONFLICT_READS = 5;

interface PendingCreate {
  readonly row: TaskRow;
  readonly event: TaskEventRow;
  resolve(creation: TaskCreation): void;
  reject(error: unknown): void;
}

export interface TaskCreateBatcherDeps {
  readonly dataSource: DataSource;
  readonly now: () => string;
  /** The repository's write queue: one writer at a time. */
  readonly serialized: <T>(work: () => Promise<T>) => Promise<T>;
}

/**
 * Group commit for new tasks: the creates that arrive while the repository is busy writing are
 * inserted together in the next transaction, so many submits share one sync to disk. Each caller
 * hears back only after the transaction holding its task has committed; when a shared transaction
 * fails, its tasks are retried one per transaction, so one bad task never fails another. A task
 * whose work an unfinished task already does (one stored before, or earlier in the same batch) is
 * not an error: its insert does nothing, and its caller gets that task.
 */
export class TaskCreateBatcher {
  private pending: PendingCreate[] = [];
  private scheduled = false;

  constructor(private readonly deps: TaskCreateBatcherDeps) {}

  /** A new task and its first event; the task row's event counter starts at that event (1). */
  add(row: TaskRow, event: NewTaskEvent): Promise<TaskCreation> {
    return new Promise((resolve, reject) => {
      const first: TaskEventRow = {
        task_id: row.id,
        seq: 1,
        kind: event.kind,
        data: JSON.stringify(event.data ?? null),
        created_at: this.deps.now(),
      };
      this.pending.push({ row: { ...row, last_event_seq: 1 }, event: first, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void this.deps.serialized(async () => {
      // Taken when its turn comes, not when scheduled: everything that arrived meanwhile goes too.
      this.scheduled = false;
      const batch = this.pending.splice(0, MAX_BATCH);
      if (this.pending.length > 0) this.schedule();
      await this.store(batch);
    });
  }

  /** Never throws: every outcome goes to its caller. */
  private async store(batch: readonly PendingCreate[]): Promise<void> {
    try {
      const stored = await this.deps.dataSource.transaction((manager) => insertAll(manager, batch));
      for (const { create, outcome } of stored) create.resolve(outcome);
    } catch (error) {
      if (batch.length === 1) {
        for (const create of batch) create.reject(error);
        return;
      }
      for (const create of batch) {
        try {
          create.resolve(await this.deps.dataSource.transaction((manager) => insertOne(manager, create)));
        } catch (alone) {
          create.reject(alone);
        }
      }
    }
  }
}

async function insertAll(
  manager: EntityManager,
  batch: readonly PendingCreate[],
): Promise<{ create: PendingCreate; outcome: TaskCreation }[]> {
  const stored: { create: PendingCreate; outcome: TaskCreation }[] = [];
  for (const create of batch) stored.push({ create, outcome: await insertOne(manager, create) });
  return stored;
}

/** Inserts a task and its first event, or answers the unfinished task already doing its work. */
async function insertOne(manager: EntityManager, { row, event }: PendingCreate): Promise<TaskCreation> {
  const values = TASK_COLUMNS.map((column) => row[column] ?? null);
  // The mapper leaves an absent number undefined (stored as NULL).
  const column: WorkColumn | undefined =
    typeof row.issue === 'number' ? 'issue' : typeof row.pr === 'number' ? 'pr' : undefined;
  if (column === undefined) {
    await sqlRows(manager, INSERT_TASK, values);
  } else {
    for (let reads = 0; ; reads++) {
      const inserted = await sqlRows<{ id: string }>(manager, insertUnlessWorkTaken(column), values);
      if (inserted.length > 0) break;
      const [existing] = await sqlRows<TaskRow>(manager, SELECT_UNFINISHED(column), [row.project, row[column]]);
      if (existing !== undefined) return { created: false, existing: taskFromRow(existing) };
      // It ended between the two statements (another server): the insert is tried again.
      if (reads >= MAX_CONFLICT_READS)
        throw new AppError('CONFLICT', `task ${row.id}: its ${column} kept being taken and released; try again`);
    }
  }
  await sqlRows(manager, INSERT_EVENT, [event.task_id, event.seq, event.kind, event.data, event.created_at]);
  return { created: true, event: eventFromRow(event) };
}
