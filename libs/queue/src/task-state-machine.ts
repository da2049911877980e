import type { TaskStatus } from './task.types.js';

/** What can happen to a task. @public */
export type TaskTransition =
  | 'start'
  | 'prepared'
  | 'agentDone'
  | 'validated'
  | 'committed'
  | 'reviewFix'
  | 'succeed'
  | 'fail'
  | 'cancel'
  | 'requeue';

/**
 * Every allowed move. `requeue` takes an interrupted or rate-limited run back to the queue;
 * terminal statuses have none.
 */
export const TRANSITIONS = {
  queued: { start: 'preparing', cancel: 'cancelled', fail: 'failed' },
  preparing: { prepared: 'running', fail: 'failed', cancel: 'cancelled', requeue: 'queued' },
  running: { agentDone: 'validating', fail: 'failed', cancel: 'cancelled', requeue: 'queued' },
  validating: { validated: 'committing', fail: 'failed', cancel: 'cancelled', requeue: 'queued' },
  committing: { succeed: 'done', committed: 'reviewing', fail: 'failed', cancel: 'cancelled', requeue: 'queued' },
  reviewing: { succeed: 'done', reviewFix: 'running', fail: 'failed', cancel: 'cancelled', requeue: 'queued' },
  done: {},
  failed: {},
  cancelled: {},
} as const satisfies Record<TaskStatus, Partial<Record<TaskTransition, TaskStatus>>>;

/** The status `transition` leads to from `status`, or undefined when it is not allowed. @public */
export function nextStatus(status: TaskStatus, transition: TaskTransition): TaskStatus | undefined {
  const moves: Partial<Record<TaskTransition, TaskStatus>> = TRANSITIONS[status];
  return moves[transition];
}
