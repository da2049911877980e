import type { NewTaskEvent, StoredTaskEvent } from '@agent-harness/queue';
import type { DataSource, EntityManager } from 'typeorm';
import { TaskEntity, type TaskEventRow, type TaskRow } from './task.entity.js';
import { eventFromRow } from './task.mapper.js';
import { sqlRows } from '../sql.js';

/** At most this many creates share one transaction. */
const MAX_BATCH = 256;

const TASK_COLUMNS = Object.keys(TaskEntity.options.columns) as (keyof TaskRow)[];
const INSERT_TASK = `INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES (${TASK_COLUMNS.map(() => '?').join(', ')})`;
const INSERT_EVENT = 'INSERT INTO task_events (task_id, seq, kind, data, created_at) VALUES (?, ?, ?, ?, ?)';

interface PendingCreate {
  readonly row: TaskRow;
  readonly event: TaskEventRow;
  resolve(event: StoredTaskEvent): void;
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
 * fails, its tasks are retried one per transaction, so one bad task never fails another.
 */
export class TaskCreateBatcher {
  private pending: PendingCreate[] = [];
  private scheduled = false;

  constructor(private readonly deps: TaskCreateBatcherDeps) {}

  /** A new task and its first event; the task row's event counter starts at that event (1). */
  add(row: TaskRow, event: NewTaskEvent): Promise<StoredTaskEvent> {
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
      await this.deps.dataSource.transaction((manager) => insertAll(manager, batch));
      for (const create of batch) create.resolve(eventFromRow(create.event));
    } catch (error) {
      if (batch.length === 1) {
        for (const create of batch) create.reject(error);
        return;
      }
      for (const create of batch) {
        try {
          await this.deps.dataSource.transaction((manager) => insertAll(manager, [create]));
          create.resolve(eventFromRow(create.event));
        } catch (alone) {
          create.reject(alone);
        }
      }
    }
  }
}

async function insertAll(manager: EntityManager, batch: readonly PendingCreate[]): Promise<void> {
  for (const { row, event } of batch) {
    await sqlRows(
      manager,
      INSERT_TASK,
      TASK_COLUMNS.map((column) => row[column] ?? null),
    );
    await sqlRows(manager, INSERT_EVENT, [event.task_id, event.seq, event.kind, event.data, event.created_at]);
  }
}
