/**
 * The values a task's fields take, defined once: the queue's model (`@agent-harness/queue`) and the
 * API contract (`api/contract.ts`) both use these, so the two can never list different statuses.
 */

/** What a task works from. @public */
export const TASK_KINDS = ['prompt', 'issue', 'pr'] as const;
/** @public */
export type TaskKind = (typeof TASK_KINDS)[number];

/** @public */
export const TASK_STATUSES = [
  'queued',
  'preparing',
  'running',
  'validating',
  'committing',
  'reviewing',
  // Not running (no slot, no worktree): its pull request's CI is watched, or a person must approve.
  'waiting_ci',
  'awaiting_approval',
  'done',
  'failed',
  'cancelled',
] as const;
/** @public */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * How a task's independent review ended; `not_needed` when Harness changed nothing to review (a
 * PR task whose agent found nothing to change).
 * @public
 */
export type ReviewOutcome = 'approved' | 'changes_requested' | 'skipped' | 'disabled' | 'not_needed';

/** Quality grades: A ≥ 90, B ≥ 75, C ≥ 60, D below; F for a failed task. @public */
export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';
