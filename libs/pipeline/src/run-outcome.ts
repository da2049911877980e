import type { ApprovalStage, FailureClass } from '@agent-harness/core';
import type { ReviewResult } from './review-phase.js';
import type { BudgetStop } from './spend-meter.js';

/** How a run ended, before it is recorded. */
export type RunOutcome =
  | {
      readonly kind: 'done';
      readonly commit: string;
      readonly review: ReviewResult;
      /** The pull request's CI is green after a fix round Harness ran (notified as `ci_fixed`). */
      readonly ciFixed?: boolean | undefined;
    }
  | { readonly kind: 'failed'; readonly error: string; readonly failureClass: FailureClass }
  /** Cancelled by request; or rejected by a person (`error` and `failureClass` say so). */
  | {
      readonly kind: 'cancelled';
      readonly error?: string | undefined;
      readonly failureClass?: FailureClass | undefined;
    }
  /**
   * The run is over but the task is not: its pull request's CI is watched (`waiting_ci`), or a person
   * must approve the step `stage` (`awaiting_approval`). Its slot and worktree go; the watcher goes on.
   */
  | {
      readonly kind: 'wait';
      readonly status: 'waiting_ci' | 'awaiting_approval';
      readonly stage?: ApprovalStage | undefined;
      readonly commit: string;
      readonly review?: ReviewResult | undefined;
    }
  | {
      readonly kind: 'requeue';
      readonly attempt: number;
      readonly notBefore?: string | undefined;
      readonly reason: string;
    };

/** What every phase answers: go on to the next phase with what it produced, or end the run. */
export type PhaseResult<T = undefined> = { readonly kind: 'next'; readonly value: T } | RunOutcome;

/** A phase went well: the run goes on. */
export function next(): PhaseResult;
export function next<T>(value: T): PhaseResult<T>;
export function next<T>(value?: T): PhaseResult<T | undefined> {
  return { kind: 'next', value };
}

/** "failed: <the agent's message>" or "timed out: …": the reason once, then the agent's words. */
export function agentFailure(result: { readonly reason: string; readonly message?: string | undefined }): string {
  const message =
    result.message?.startsWith(`${result.reason}: `) === true
      ? result.message.slice(result.reason.length + 2)
      : result.message;
  return `${result.reason}${message === undefined ? '' : `: ${message}`}`;
}

/**
 * The end of a run a spend limit stopped: the task's limit fails it (class `budget`); a daily limit
 * sends it back to the queue, same attempt, until the day turns (it never fails for that).
 */
export function budgetOutcome(
  task: { readonly attempt: number },
  agent: string,
  stop: BudgetStop | undefined,
): RunOutcome | undefined {
  if (stop === undefined) return undefined;
  if (stop.kind === 'task')
    return { kind: 'failed', error: `${agent} stopped: ${stop.message}`, failureClass: 'budget' };
  return { kind: 'requeue', attempt: task.attempt, notBefore: stop.until, reason: `budget until ${stop.until}` };
}
