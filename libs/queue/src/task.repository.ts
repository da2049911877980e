import type { Task, TaskStatus } from './task.types.js';
import type { TaskWork } from './task-work.js';

/** An event to append to a task's log. @public */
export interface NewTaskEvent {
  /**
   * `status` (a status change), `agent` (an agent event), `validation` (a validation run and its
   * command outcomes), `review` (a review round's verdict), `log` (a Harness step), `end` (the last one),
   * `output_truncated` (the agents' output reached the task's limit; later output is not stored).
   */
  readonly kind: 'status' | 'agent' | 'validation' | 'review' | 'log' | 'end' | 'output_truncated';
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
/** How much of a prompt a title search reads: the title is its first line (or the description). @public */
export const TASK_SEARCH_CHARS = 200;

/** @public */
export interface TaskListFilter {
  readonly status?: TaskStatus | undefined;
  readonly project?: string | undefined;
  /** The agent that ran it (else the one it asked for). */
  readonly agent?: string | undefined;
  /**
   * Words its title holds, case-insensitively (ASCII): its description or the start of its
   * prompt (`TASK_SEARCH_CHARS`), as lists show the title.
   */
  readonly search?: string | undefined;
  readonly limit: number;
  readonly offset: number;
  /** Keyset paging: only tasks after this one in the list order (before `offset` is applied). */
  readonly after?: TaskListPosition | undefined;
}

/**
 * A task as a list shows it: what a summary names, with only the start of its prompt (at most
 * `TASK_SEARCH_CHARS`, from its first character that is not a space or a line break): enough for
 * its title, without reading whole prompts (issue bodies) for a page of tasks. @public
 */
export type TaskListing = Pick<
  Task,
  | 'id'
  | 'project'
  | 'kind'
  | 'prompt'
  | 'issue'
  | 'pr'
  | 'description'
  | 'agent'
  | 'agentUsed'
  | 'status'
  | 'attempt'
  | 'branch'
  | 'commit'
  | 'prNumber'
  | 'prUrl'
  | 'grade'
  | 'error'
  | 'failureClass'
  | 'createdAt'
  | 'updatedAt'
  | 'finishedAt'
>;

/**
 * The characters a listing's prompt starts after (SQL's `LTRIM` takes the same set): ASCII's blanks,
 * as a database in a single-byte encoding would cut a multi-byte one apart. @public
 */
export const LISTING_LEADING_SPACE = ' \t\n\v\f\r';

/** A task as `list` answers it (a repository that holds whole tasks cuts them so). @public */
export function taskListing(task: Task): TaskListing {
  let start = 0;
  while (start < (task.prompt?.length ?? 0) && LISTING_LEADING_SPACE.includes(task.prompt?.[start] ?? '')) start++;
  return {
    id: task.id,
    project: task.project,
    kind: task.kind,
    prompt: task.prompt?.slice(start, start + TASK_SEARCH_CHARS),
    issue: task.issue,
    pr: task.pr,
    description: task.description,
    agent: task.agent,
    agentUsed: task.agentUsed,
    status: task.status,
    attempt: task.attempt,
    branch: task.branch,
    commit: task.commit,
    prNumber: task.prNumber,
    prUrl: task.prUrl,
    grade: task.grade,
    error: task.error,
    failureClass: task.failureClass,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    finishedAt: task.finishedAt,
  };
}

/** Changes to a task; `id`, `version` and `createdAt` are the repository's. @public */
export type TaskChanges = Partial<Omit<Task, 'id' | 'version' | 'createdAt'>>;

/**
 * What `create` did: stored the new task with its first event, or found an unfinished task already
 * doing the same work (see TaskWork) and stored nothing. @public
 */
export type TaskCreation =
  { readonly created: true; readonly event: StoredTaskEvent } | { readonly created: false; readonly existing: Task };

/**
 * A look at the queue by one server: which queued tasks it may start now. The claim is decided in
 * one transaction that every server's claims are serialized through, so the limits hold across a
 * fleet sharing the database. @public
 */
export interface ClaimRequest {
  /** The claiming server's id: the lease owner of what it claims. */
  readonly owner: string;
  readonly leaseExpiresAt: string;
  /** ISO-8601 now: back-offs (`notBefore`) are compared with it, and it is the start time. */
  readonly now: string;
  /** This server's own slots (`max_concurrent_tasks`): tasks it already runs count against them. */
  readonly serverSlots: number;
  /** Each project's `max_concurrent`: counted across every server. */
  readonly perProject: ReadonlyMap<string, number>;
  /** Only these queued tasks may be claimed (a CLI command running its own); absent: any. */
  readonly onlyIds?: ReadonlySet<string> | undefined;
  /** Tasks this server is still winding down (a run it lost): never claimed again until it is done. */
  readonly excludeIds?: ReadonlySet<string> | undefined;
  /**
   * Only tasks of these projects are claimed (the catalog's: each is read within its free slots,
   * so the cost of a claim does not grow with the queue behind a full project); absent: every
   * project's, including tasks of projects the catalog no longer has.
   */
  readonly projects?: readonly string[] | undefined;
  /** The status event each claimed task gets (queued → preparing). */
  readonly event: (task: Task) => NewTaskEvent;
}

/** A claimed task (now `preparing`, leased) and its stored status event. @public */
export interface ClaimedTask {
  readonly task: Task;
  readonly event: StoredTaskEvent;
}

/** What a lease heartbeat found about the tasks a server runs. @public */
export interface LeaseCheck {
  /** Tasks whose lease this server no longer holds (another server took them back): stop running them. */
  readonly lost: readonly string[];
  /** Tasks someone asked to cancel (from any server). */
  readonly cancelRequested: readonly string[];
}

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
  /**
   * Stores a new task and its first event, unless an unfinished task (queued or running) already
   * does the same work (see TaskWork): then nothing is stored and that task is the answer. The
   * check and the insert are one step in SQL, so concurrent creates on any server store one task.
   * A task whose id exists is refused.
   */
  abstract create(task: Task, event: NewTaskEvent): Promise<TaskCreation>;
  /**
   * The task doing `work`: the unfinished one when there is one, else the newest (an ended task a
   * new request retries); undefined when no task ever did it.
   */
  abstract latestForWork(work: TaskWork): Promise<Task | undefined>;
  abstract get(id: string): Promise<Task | undefined>;
  /**
   * Ids starting with `prefix` (lower-case hex digits and dashes only; anything else is an
   * `INVALID_ARGUMENT`), in id order, at most `limit`.
   */
  abstract findIdsByPrefix(prefix: string, limit: number): Promise<string[]>;
  /**
   * Throws `CONFLICT` when the stored version is no longer `expectedVersion`, or (when given) the
   * stored status is no longer `expectedStatus`: both are checked in the same SQL statement.
   * `closing` is stored after `event` in the same transaction: a terminal status and its `end`
   * event are written together or not at all (a crash between them would leave a finished task
   * whose stream never ends).
   */
  abstract update(
    id: string,
    expectedVersion: number,
    changes: TaskChanges,
    event?: NewTaskEvent,
    expectedStatus?: TaskStatus,
    closing?: NewTaskEvent,
  ): Promise<{ task: Task; event?: StoredTaskEvent | undefined; closing?: StoredTaskEvent | undefined }>;
  abstract appendEvent(taskId: string, event: NewTaskEvent): Promise<StoredTaskEvent>;
  /**
   * Appends events in order, numbered one after another, in one transaction: an agent's burst of
   * output is one write, not one per line. Nothing for an empty list.
   */
  abstract appendEvents(taskId: string, events: readonly NewTaskEvent[]): Promise<StoredTaskEvent[]>;
  /**
   * Extends the leases `owner` holds on these tasks until `until` (a heartbeat), and tells which of
   * them it no longer holds and which someone asked to cancel. It changes no version: a lease is
   * the server's, not part of the task's state.
   */
  abstract renewLeases(owner: string, taskIds: readonly string[], until: string): Promise<LeaseCheck>;
  /**
   * Claims queued tasks, oldest first, within `serverSlots` of this server and each project's
   * `max_concurrent` across all servers: each becomes `preparing` under the owner's lease (a new
   * version) with its status event, in one transaction serialized with every other claim.
   */
  abstract claimQueued(request: ClaimRequest): Promise<ClaimedTask[]>;
  /**
   * Asks the server running an active task to cancel it (its heartbeat sees the request). False
   * when the task is not active. No version change.
   */
  abstract requestCancel(id: string, at: string): Promise<boolean>;
  /** Events after `afterSeq`, oldest first; only the given kinds when `kinds` is set. */
  abstract eventsAfter(
    taskId: string,
    afterSeq: number,
    limit: number,
    kinds?: readonly NewTaskEvent['kind'][],
  ): Promise<StoredTaskEvent[]>;
  /** Newest first; `total` counts every task the status and project filters match. */
  abstract list(filter: TaskListFilter): Promise<{ tasks: TaskListing[]; total: number }>;
  abstract withStatus(statuses: readonly TaskStatus[], oldestFirst: boolean, limit?: number): Promise<Task[]>;
  abstract countByProjectAndStatus(): Promise<TaskCount[]>;
  abstract countWithStatus(statuses: readonly TaskStatus[]): Promise<number>;
}
