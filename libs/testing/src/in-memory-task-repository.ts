import { AppError } from '@agent-harness/core';
import {
  ACTIVE_STATUSES,
  TASK_SEARCH_CHARS,
  pickClaims,
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
  isTerminal,
  taskListing,
  taskWork,
} from '@agent-harness/queue';

/** What a task id prefix may hold (the same rule as the SQL adapter): ids are lower-case UUIDs. */
const TASK_ID_PREFIX = /^[0-9a-f-]{1,36}$/;

/** Event data as the SQL adapter hands it back: a JSON copy, `undefined` stored as `null`. */
function jsonCopy(data: unknown): unknown {
  return JSON.parse(JSON.stringify(data ?? null)) as unknown;
}

/** Oldest first by creation time, then id: the order of `withStatus(…, true)` in SQL. */
function byCreation(a: Pick<Task, 'createdAt' | 'id'>, b: Pick<Task, 'createdAt' | 'id'>): number {
  return a.createdAt === b.createdAt ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.createdAt < b.createdAt ? -1 : 1;
}

/** Whether a task does `work` (its issue, or its PR). */
function sameWork(task: Task, work: TaskWork): boolean {
  return work.issue !== undefined ? task.issue === work.issue : task.pr === work.pr;
}

interface Waiter {
  readonly id: string;
  readonly until: (task: Task) => boolean;
  readonly resolve: (task: Task) => void;
}

/**
 * The TaskRepository port in memory, for unit tests: the same contract as the SQL adapter
 * (`taskRepositoryContract` checks both), without a database. Optimistic locking with `CONFLICT`,
 * the `expectedStatus` guard, events numbered per task from 1 without gaps, leases renewed without
 * a version change, and the SQL adapter's list orders. Every write is atomic: a refused update
 * changes nothing and appends no event.
 * @public
 */
export class InMemoryTaskRepository extends TaskRepository {
  private readonly tasks = new Map<string, Task>();
  private readonly events = new Map<string, StoredTaskEvent[]>();
  private waiters: Waiter[] = [];
  /** Tasks someone asked to cancel (a column in SQL, outside the task's state). */
  private readonly cancelRequested = new Set<string>();

  constructor(private readonly now: () => string = () => new Date().toISOString()) {
    super();
  }

  /** Every stored task, oldest first (for assertions). */
  all(): Task[] {
    return [...this.tasks.values()].sort(byCreation).map((t) => ({ ...t }));
  }

  /**
   * Resolves with the task once a write makes `until(task)` true (at once when it already is):
   * an event-driven wait, so tests need neither sleeps nor polling.
   */
  whenTask(id: string, until: (task: Task) => boolean): Promise<Task> {
    const task = this.tasks.get(id);
    if (task !== undefined && until(task)) return Promise.resolve({ ...task });
    return new Promise((resolve) => this.waiters.push({ id, until, resolve }));
  }

  private stored(task: Task): void {
    this.tasks.set(task.id, task);
    const ready = this.waiters.filter((w) => w.id === task.id && w.until(task));
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve({ ...task });
  }

  private insertEvent(taskId: string, event: NewTaskEvent): StoredTaskEvent {
    const log = this.events.get(taskId);
    if (log === undefined) throw new AppError('NOT_FOUND', `no task ${taskId}`);
    const stored: StoredTaskEvent = {
      taskId,
      seq: log.length + 1,
      kind: event.kind,
      data: jsonCopy(event.data),
      createdAt: this.now(),
    };
    log.push(stored);
    return { ...stored };
  }

  override create(task: Task, event: NewTaskEvent): Promise<TaskCreation> {
    if (this.tasks.has(task.id)) return Promise.reject(new AppError('CONFLICT', `task ${task.id} already exists`));
    // As the SQL adapter's unique indexes: one unfinished task per (project, issue) and (project, pr).
    const work = taskWork(task);
    const existing =
      work === undefined || isTerminal(task.status)
        ? undefined
        : [...this.tasks.values()].find(
            (t) => !isTerminal(t.status) && t.project === work.project && sameWork(t, work),
          );
    if (existing !== undefined) return Promise.resolve({ created: false, existing: { ...existing } });
    this.events.set(task.id, []);
    this.stored({ ...task });
    return Promise.resolve({ created: true, event: this.insertEvent(task.id, event) });
  }

  override latestForWork(work: TaskWork): Promise<Task | undefined> {
    const tasks = [...this.tasks.values()]
      .filter((t) => t.project === work.project && sameWork(t, work))
      .sort((a, b) => Number(isTerminal(a.status)) - Number(isTerminal(b.status)) || byCreation(b, a));
    const [found] = tasks;
    return Promise.resolve(found === undefined ? undefined : { ...found });
  }

  override get(id: string): Promise<Task | undefined> {
    const task = this.tasks.get(id);
    return Promise.resolve(task === undefined ? undefined : { ...task });
  }

  override findIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    if (!TASK_ID_PREFIX.test(prefix)) {
      return Promise.reject(
        new AppError('INVALID_ARGUMENT', 'a task id prefix holds only the characters 0-9, a-f and "-"'),
      );
    }
    const ids = [...this.tasks.keys()].filter((id) => id.startsWith(prefix)).sort();
    return Promise.resolve(ids.slice(0, limit));
  }

  override update(
    id: string,
    expectedVersion: number,
    changes: TaskChanges,
    event?: NewTaskEvent,
    expectedStatus?: TaskStatus,
    closing?: NewTaskEvent,
  ): Promise<{ task: Task; event?: StoredTaskEvent | undefined; closing?: StoredTaskEvent | undefined }> {
    const current = this.tasks.get(id);
    if (current?.version !== expectedVersion || (expectedStatus !== undefined && current.status !== expectedStatus)) {
      const expected = `version ${String(expectedVersion)}${expectedStatus === undefined ? '' : `, status ${expectedStatus}`}`;
      return Promise.reject(new AppError('CONFLICT', `task ${id} was changed by someone else (expected ${expected})`));
    }
    const task: Task = {
      ...current,
      ...changes,
      updatedAt: changes.updatedAt ?? this.now(),
      id,
      createdAt: current.createdAt,
      version: expectedVersion + 1,
    };
    this.stored(task);
    const stored = event === undefined ? undefined : this.insertEvent(id, event);
    const storedClosing = closing === undefined ? undefined : this.insertEvent(id, closing);
    return Promise.resolve({ task: { ...task }, event: stored, closing: storedClosing });
  }

  override appendEvent(taskId: string, event: NewTaskEvent): Promise<StoredTaskEvent> {
    return Promise.resolve().then(() => this.insertEvent(taskId, event));
  }

  override appendEvents(taskId: string, events: readonly NewTaskEvent[]): Promise<StoredTaskEvent[]> {
    return Promise.resolve().then(() => {
      if (events.length > 0 && !this.tasks.has(taskId)) throw new AppError('NOT_FOUND', `no task ${taskId}`);
      return events.map((event) => this.insertEvent(taskId, event));
    });
  }

  override renewLeases(owner: string, taskIds: readonly string[], until: string): Promise<LeaseCheck> {
    const lost: string[] = [];
    for (const id of taskIds) {
      const task = this.tasks.get(id);
      const held = task?.leaseOwner === owner && (ACTIVE_STATUSES as readonly string[]).includes(task.status);
      if (held) this.stored({ ...task, leaseExpiresAt: until });
      else lost.push(id);
    }
    const cancelRequested = taskIds.filter((id) => this.cancelRequested.has(id) && !lost.includes(id));
    return Promise.resolve({ lost, cancelRequested });
  }

  override claimQueued(request: ClaimRequest): Promise<ClaimedTask[]> {
    const all = [...this.tasks.values()].sort(byCreation);
    const active = all.filter((t) => (ACTIVE_STATUSES as readonly string[]).includes(t.status));
    const picked = pickClaims(
      all.filter((t) => t.status === 'queued'),
      active,
      request,
    );
    const claimed = picked.map((current) => {
      const task: Task = {
        ...current,
        status: 'preparing',
        startedAt: request.now,
        notBefore: undefined,
        error: undefined,
        leaseOwner: request.owner,
        leaseExpiresAt: request.leaseExpiresAt,
        updatedAt: request.now,
        version: current.version + 1,
      };
      this.stored(task);
      return { task: { ...task }, event: this.insertEvent(task.id, request.event(current)) };
    });
    return Promise.resolve(claimed);
  }

  override requestCancel(id: string): Promise<boolean> {
    const task = this.tasks.get(id);
    const active = task !== undefined && (ACTIVE_STATUSES as readonly string[]).includes(task.status);
    if (active) this.cancelRequested.add(id);
    return Promise.resolve(active);
  }

  override eventsAfter(
    taskId: string,
    afterSeq: number,
    limit: number,
    kinds?: readonly NewTaskEvent['kind'][],
  ): Promise<StoredTaskEvent[]> {
    const log = this.events.get(taskId) ?? [];
    const wanted = log.filter((e) => e.seq > afterSeq && (kinds === undefined || kinds.includes(e.kind)));
    return Promise.resolve(wanted.slice(0, limit).map((e) => ({ ...e })));
  }

  override list(filter: TaskListFilter): Promise<{ tasks: TaskListing[]; total: number }> {
    const matching = [...this.tasks.values()]
      .filter(
        (t) =>
          (filter.status === undefined || t.status === filter.status) &&
          (filter.project === undefined || t.project === filter.project) &&
          (filter.agent === undefined || (t.agentUsed ?? t.agent) === filter.agent) &&
          (filter.search === undefined || titleHolds(t, filter.search)),
      )
      .sort((a, b) => byCreation(b, a));
    // Keyset paging: after `after` in the newest-first order; `total` ignores it.
    const { after } = filter;
    const page = after === undefined ? matching : matching.filter((t) => byCreation(t, after) < 0);
    return Promise.resolve({
      tasks: page.slice(filter.offset, filter.offset + filter.limit).map(taskListing),
      total: matching.length,
    });
  }

  override withStatus(statuses: readonly TaskStatus[], oldestFirst: boolean, limit?: number): Promise<Task[]> {
    const matching = [...this.tasks.values()]
      .filter((t) => statuses.includes(t.status))
      .sort((a, b) => (oldestFirst ? byCreation(a, b) : byCreation(b, a)));
    return Promise.resolve((limit === undefined ? matching : matching.slice(0, limit)).map((t) => ({ ...t })));
  }

  override countByProjectAndStatus(): Promise<TaskCount[]> {
    const counts = new Map<string, TaskCount>();
    for (const task of this.tasks.values()) {
      const key = JSON.stringify([task.project, task.status]);
      counts.set(key, { project: task.project, status: task.status, count: (counts.get(key)?.count ?? 0) + 1 });
    }
    return Promise.resolve([...counts.values()]);
  }

  override countWithStatus(statuses: readonly TaskStatus[]): Promise<number> {
    return Promise.resolve([...this.tasks.values()].filter((t) => statuses.includes(t.status)).length);
  }
}

/** The title search of the SQL repository: description or the start of the prompt, ASCII case folded. */
function titleHolds(task: Task, search: string): boolean {
  const lower = (text: string | undefined): string => (text ?? '').replace(/[A-Z]/g, (c) => c.toLowerCase());
  const needle = lower(search);
  return lower(task.description).includes(needle) || lower(task.prompt?.slice(0, TASK_SEARCH_CHARS)).includes(needle);
}
