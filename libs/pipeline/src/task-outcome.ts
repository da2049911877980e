import {
  applyTransition,
  EMPTY_LOOP,
  WAITING_STATUSES,
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
  wait: 'awaitCi',
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
  const transition =
    outcome.kind === 'wait' && outcome.status === 'awaiting_approval' ? 'hold' : OUTCOME_TRANSITION[outcome.kind];
  const status = applyTransition(task.id, task.status, transition);
  if (outcome.kind === 'wait')
    return {
      changes: waitChanges(task, outcome, now),
      event: statusEvent(task.status, status, task.attempt, waitReason(outcome)),
    };
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
    outcome.kind === 'failed'
      ? outcome.error
      : outcome.kind === 'cancelled'
        ? (outcome.error ?? 'cancelled by request')
        : undefined;
  const failureClass =
    outcome.kind === 'failed'
      ? outcome.failureClass
      : outcome.kind === 'cancelled'
        ? (outcome.failureClass ?? 'cancelled')
        : undefined;
  // A task that waited on its pull request keeps the grade its run earned (the review's findings are in it).
  const kept = outcome.kind === 'done' && WAITING_STATUSES.includes(task.status) && task.grade !== undefined;
  const graded = kept
    ? { grade: task.grade, score: task.score }
    : taskGrade({
        succeeded: outcome.kind === 'done',
        validationRetries: task.validationRetries,
        reviewRounds: task.reviewRounds,
        unresolvedIssues: outcome.kind === 'done' ? outcome.review.unresolved : [],
        reviewSkipped: outcome.kind === 'done' && outcome.review.outcome === 'skipped',
      });
  const loop =
    task.loop === undefined
      ? {}
      : { loop: { ...task.loop, round: undefined, approval: undefined, waitingSince: undefined } };
  const changes: TaskChanges = {
    status,
    finishedAt: now,
    ...NO_LEASE,
    worktree: undefined,
    error,
    failureClass,
    ...loop,
    ...(outcome.kind === 'cancelled' ? {} : { grade: graded.grade, score: graded.score }),
    ...(outcome.kind === 'done' ? { commit: outcome.commit, reviewOutcome: outcome.review.outcome } : {}),
  };
  const event = statusEvent(task.status, status, task.attempt, error);
  return { changes, event: outcome.kind === 'done' && outcome.ciFixed === true ? ciFixedEvent(event) : event };
}

/** A status event that also says CI went green after Harness's fix (what `[[notify]]` calls `ci_fixed`). */
export function ciFixedEvent(event: NewTaskEvent): NewTaskEvent {
  return { kind: event.kind, data: { ...(event.data as object), ci_fixed: true } };
}

/** Why a run waits, for its status event. */
function waitReason(outcome: Extract<RunOutcome, { kind: 'wait' }>): string {
  return outcome.status === 'waiting_ci'
    ? 'the pull request is open: waiting for its CI'
    : `waiting for a person to approve the ${outcome.stage ?? 'next'} step`;
}

/**
 * A run that ends waiting: no lease, no worktree, no error; its commit and review are kept, and its
 * grade is the one it would have ended with (a done task keeps it). The loop says since when it waits.
 */
function waitChanges(task: Task, outcome: Extract<RunOutcome, { kind: 'wait' }>, now: string): TaskChanges {
  const loop = { ...(task.loop ?? EMPTY_LOOP), round: undefined };
  const review = outcome.review;
  const graded =
    review === undefined
      ? undefined
      : taskGrade({
          succeeded: true,
          validationRetries: task.validationRetries,
          reviewRounds: task.reviewRounds,
          unresolvedIssues: review.unresolved,
          reviewSkipped: review.outcome === 'skipped',
        });
  return {
    status: outcome.status,
    ...NO_LEASE,
    worktree: undefined,
    error: undefined,
    failureClass: undefined,
    commit: outcome.commit === '' ? task.commit : outcome.commit,
    ...(review === undefined ? {} : { reviewOutcome: review.outcome }),
    ...(graded === undefined ? {} : { grade: graded.grade, score: graded.score }),
    loop:
      outcome.status === 'waiting_ci'
        ? { ...loop, approval: undefined, waitingSince: now }
        : { ...loop, approval: { stage: outcome.stage ?? 'push', since: now } },
  };
}
