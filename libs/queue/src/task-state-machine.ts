import { AppError } from '@agent-harness/core';
import type { TaskStatus } from './task.types.js';

/** What can happen to a task. @public */
export type TaskTransition =
  | 'start'
  | 'prepared'
  | 'agentDone'
  | 'validated'
  | 'committed'
  | 'reviewFix'
  | 'resume'
  | 'succeed'
  | 'fail'
  | 'cancel'
  | 'requeue'
  | 'awaitCi'
  | 'hold'
  | 'round'
  | 'reopen'
  | 'approved';

/**
 * Every allowed move. `requeue` takes an interrupted or rate-limited run back to the queue;
 * `resume` takes a restarted task whose change is already published (checkpoint) straight to its
 * review, and `succeed` from `preparing` ends one with nothing left to do (its review off or
 * impossible). `awaitCi` ends a run whose pull request's CI is then watched, `hold` one a person
 * must approve; `round` queues a waiting task's next round (a fix, a follow-up, the approved rest),
 * and `reopen` a follow-up of a task that had ended. Every status write goes through this table.
 */
export const TRANSITIONS = {
  queued: { start: 'preparing', cancel: 'cancelled', fail: 'failed' },
  preparing: {
    prepared: 'running',
    resume: 'reviewing',
    awaitCi: 'waiting_ci',
    approved: 'committing',
    succeed: 'done',
    fail: 'failed',
    cancel: 'cancelled',
    requeue: 'queued',
  },
  running: { agentDone: 'validating', fail: 'failed', cancel: 'cancelled', requeue: 'queued' },
  validating: { validated: 'committing', fail: 'failed', cancel: 'cancelled', requeue: 'queued' },
  committing: {
    succeed: 'done',
    committed: 'reviewing',
    awaitCi: 'waiting_ci',
    hold: 'awaiting_approval',
    fail: 'failed',
    cancel: 'cancelled',
    requeue: 'queued',
  },
  reviewing: {
    succeed: 'done',
    reviewFix: 'running',
    awaitCi: 'waiting_ci',
    fail: 'failed',
    cancel: 'cancelled',
    requeue: 'queued',
  },
  waiting_ci: { round: 'queued', hold: 'awaiting_approval', succeed: 'done', fail: 'failed', cancel: 'cancelled' },
  // `awaitCi`: a held merge whose pull request changed goes back to waiting on its CI.
  awaiting_approval: { round: 'queued', awaitCi: 'waiting_ci', succeed: 'done', fail: 'failed', cancel: 'cancelled' },
  done: { reopen: 'queued' },
  failed: { reopen: 'queued' },
  cancelled: {},
} as const satisfies Record<TaskStatus, Partial<Record<TaskTransition, TaskStatus>>>;

/** Where every task starts (the table's only status without a move into it). @public */
export const INITIAL_STATUS: TaskStatus = 'queued';

/**
 * The status a task in `status` moves to by `transition`: the one way Harness decides a status.
 * A move the table does not have is a bug in the caller, never a user's error (INTERNAL).
 * @public
 */
export function applyTransition(taskId: string, status: TaskStatus, transition: TaskTransition): TaskStatus {
  const to = nextStatus(status, transition);
  if (to === undefined)
    throw new AppError('INTERNAL', `task ${taskId}: \`${transition}\` is not a move from ${status} in the state table`);
  return to;
}

/** The status `transition` leads to from `status`, or undefined when it is not allowed. @public */
export function nextStatus(status: TaskStatus, transition: TaskTransition): TaskStatus | undefined {
  const moves: Partial<Record<TaskTransition, TaskStatus>> = TRANSITIONS[status];
  return moves[transition];
}

/** Whether the table allows a task to move from `from` to `to` (a new task starts `queued`). @public */
export function isAllowedMove(from: TaskStatus | null, to: TaskStatus): boolean {
  if (from === null) return to === 'queued';
  const moves: Partial<Record<TaskTransition, TaskStatus>> = TRANSITIONS[from];
  return Object.values(moves).includes(to);
}

/**
 * Replays a stored status history (each `from → to` of a task's `status` events, oldest first)
 * against the table: the first move it does not allow, or undefined when every move is allowed
 * and each starts where the previous ended.
 * @public
 */
export function firstIllegalMove(
  history: readonly { readonly from: TaskStatus | null; readonly to: TaskStatus }[],
): { index: number; from: TaskStatus | null; to: TaskStatus; why: string } | undefined {
  let current: TaskStatus | null = null;
  for (const [index, move] of history.entries()) {
    if (move.from !== current)
      return { index, ...move, why: `starts from ${String(move.from)} but the task was ${String(current)}` };
    if (!isAllowedMove(move.from, move.to)) return { index, ...move, why: 'not in the state table' };
    current = move.to;
  }
  return undefined;
}
