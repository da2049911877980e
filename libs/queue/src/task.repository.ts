import type { Task, TaskStatus } from './task.types.js';

/** An event to append to a task's log. @public */
export interface NewTaskEvent {
  /**
   * `status` (a status change), `agent` (an agent event), `validation` (a validation run and its
   * command outcomes), `review` (a review round's verdict), `log` (a Harness step), `end` (the last one).
   */
  readonly kind: 'status' | 'agent' | 'validation' | 'review' | 'log' | 'end';
  readonly data: unknown;
}

/** A stored task event: `seq` counts from 1 per task, without gaps. @public */
export interface StoredTaskEvent extends NewTaskEvent {
  readonly taskId: string;
  readonly seq: number;
  readonly createdAt: string;
}

/** A place in the list order (newest first: `createdAt`, then `id`, both descending). @public */
export interface TaskListPosition {
  readonly createdAt: string;
  readonly id: string;
}

/** @public */
export interface TaskListFilter {
  readonly status?: TaskStatus | undefined;
  readonly project?: string | undefined;
  readonly limit: number;
  readonly offset: number;
  /** Keyset paging: only tasks after this one in the list order (before `offset` is applied). */
  readonly after?: TaskListPosition | undefined;
}

/** Changes to a task; `id`, `version` and `createdAt` are the repository's. @public */
export type TaskChanges = Partial<Omit<Task, 'id' | 'version' | 'createdAt'>>;

/** Tasks per project and status. @public */
export interface TaskCount {
  readonly project: string;
  readonly status: TaskStatus;
  readonly count: number;
}

/**
 * Where tasks and their event logs live. Every change of a task and the event recording it are
 * written in one transaction; an update names the version it read and fails if another write came
 * first.
 * @public
 */
export abstract class TaskRepository {
  abstract create(task: Task, event: NewTaskEvent): Promise<StoredTaskEvent>;
  abstract get(id: string): Promise<Task | undefined>;
  /**
   * Ids starting with `prefix` (lower-case hex digits and dashes only; anything else is an
   * `INVALID_ARGUMENT`), in id order, at most `limit`.
   */
  abstract findIdsByPrefix(prefix: string, limit: number): Promise<string[]>;
  /**
   * Throws `CONFLICT` when the stored version is no longer `expectedVersion`, or (when given) the
   * stored status is no longer `expectedStatus`: both are checked in the same SQL statement.
   */
  abstract update(
    id: string,
    expectedVersion: number,
    changes: TaskChanges,
    event?: NewTaskEvent,
    expectedStatus?: TaskStatus,
  ): Promise<{ task: Task; event?: StoredTaskEvent | undefined }>;
  abstract appendEvent(taskId: string, event: NewTaskEvent): Promise<StoredTaskEvent>;
  /**
   * Extends the leases `owner` holds on these tasks until `until` (a heartbeat). It changes no
   * version: a lease is the server's, not part of the task's state.
   */
  abstract renewLeases(owner: string, taskIds: readonly string[], until: string): Promise<void>;
  /** Events after `afterSeq`, oldest first; only the given kinds when `kinds` is set. */
  abstract eventsAfter(
    taskId: string,
    afterSeq: number,
    limit: number,
    kinds?: readonly NewTaskEvent['kind'][],
  ): Promise<StoredTaskEvent[]>;
  /** Newest first; `total` counts every task the status and project filters match. */
  abstract list(filter: TaskListFilter): Promise<{ tasks: Task[]; total: number }>;
  abstract withStatus(statuses: readonly TaskStatus[], oldestFirst: boolean, limit?: number): Promise<Task[]>;
  abstract countByProjectAndStatus(): Promise<TaskCount[]>;
  abstract countWithStatus(statuses: readonly TaskStatus[]): Promise<number>;
}
