import {
  applyTransition,
  type NewTaskEvent,
  type Task,
  type TaskChanges,
  type TaskStatus,
  type TaskTransition,
} from '@agent-harness/queue';
import { taskGrade } from '@agent-harness/review';
import type { RunOutcome } from './task-run.js';

/** A finished or requeued task holds no lease. */
export const NO_LEASE = { leaseOwner: undefined, leaseExpiresAt: undefined };

/** The `status` event of a move (from `undefined`: the task's first, `queued`). */
export function statusEvent(
  from: TaskStatus | undefined,
  to: TaskStatus,
  attempt: number,
  reason?: string,
): NewTaskEvent {
  return { kind: 'status', data: { from: from ?? null, to, attempt, ...(reason === undefined ? {} : { reason }) } };
}

/** The state table's move for each way a run ends. */
const OUTCOME_TRANSITION: Record<RunOutcome['kind'], TaskTransition> = {
  requeue: 'requeue',
  done: 'succeed',
  failed: 'fail',
  cancelled: 'cancel',
};

/**
 * What an outcome changes on the task row, and the status event that goes with it: back to the
 * queue (lease released, attempt as the outcome says), or a terminal status with its error, its
 * failure class and its grade (a cancelled task is not graded: nobody asked it to finish).
 */
export function outcomeChanges(
  task: Task,
  outcome: RunOutcome,
  now: string,
): { changes: TaskChanges; event: NewTaskEvent } {
  const status = applyTransition(task.id, task.status, OUTCOME_TRANSITION[outcome.kind]);
  if (outcome.kind === 'requeue') {
    return {
      changes: {
        status,
        attempt: outcome.attempt,
        notBefore: outcome.notBefore,
        worktree: undefined,
        error: outcome.reason,
        ...NO_LEASE,
      },
      event: statusEvent(task.status, status, outcome.attempt, outcome.reason),
    };
  }
  const error =
    outcome.kind === 'failed' ? outcome.error : outcome.kind === 'cancelled' ? 'cancelled by request' : undefined;
  const failureClass =
    outcome.kind === 'failed' ? outcome.failureClass : outcome.kind === 'cancelled' ? 'cancelled' : undefined;
  const graded = taskGrade({
    succeeded: outcome.kind === 'done',
    validationRetries: task.validationRetries,
    reviewRounds: task.reviewRounds,
    unresolvedIssues: outcome.kind === 'done' ? outcome.review.unresolved : [],
    reviewSkipped: outcome.kind === 'done' && outcome.review.outcome === 'skipped',
  });
  const changes: TaskChanges = {
    status,
    finishedAt: now,
    ...NO_LEASE,
    worktree: undefined,
    error,
    failureClass,
    ...(outcome.kind === 'cancelled' ? {} : { grade: graded.grade, score: graded.score }),
    ...(outcome.kind === 'done' ? { commit: outcome.commit, reviewOutcome: outcome.review.outcome } : {}),
  };
  return { changes, event: statusEvent(task.status, status, task.attempt, error) };
}
