import type { AgentEndReason } from './agents/agent-event.js';
import type { ErrorCode } from './errors/error-codes.js';

/**
 * Why a task failed, as data: the event store, GC signals, grades and the dashboard read this,
 * never the message.
 * @public
 */
export const FAILURE_CLASSES = [
  'agent_error',
  'agent_timeout',
  'agent_unavailable',
  'rate_limited',
  // A spend limit: the task's (`[limits] task_max_usd`, `task_max_turns`) or the agent's own cap.
  'budget',
  'validation_failed',
  // A `[workspace] setup` command (or the original's `after_create_hook`) failed before the agent ran.
  'setup',
  'no_changes',
  'review_failed',
  // The pull request's CI still failed after `[github] max_ci_fix_rounds` fix rounds (or never ended).
  'ci_failed',
  // A person requested changes on the pull request after `[github] max_feedback_rounds` rounds.
  'changes_requested',
  'github_error',
  'git_error',
  'interrupted',
  'cancelled',
  // A person (or the approval timeout) rejected the change held for approval.
  'rejected',
  'internal',
] as const;
/** @public */
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** The class of a failed agent run. @public */
export function failureClassOfAgentEnd(reason: AgentEndReason): FailureClass {
  switch (reason) {
    case 'timeout':
    case 'idle_timeout':
      return 'agent_timeout';
    case 'rate_limited':
    case 'quota_exceeded':
      return 'rate_limited';
    case 'budget_exceeded':
      return 'budget';
    case 'unavailable':
    case 'auth_failed':
      return 'agent_unavailable';
    case 'cancelled':
      return 'cancelled';
    case 'completed':
    case 'failed':
      return 'agent_error';
  }
}

/** The class of a failure raised as an error with this code. @public */
export function failureClassOfError(code: ErrorCode): FailureClass {
  if (code.startsWith('GITHUB_')) return 'github_error';
  if (code === 'GIT_FAILED') return 'git_error';
  if (code === 'AGENT_UNAVAILABLE') return 'agent_unavailable';
  if (code === 'AGENT_FAILED') return 'agent_error';
  return 'internal';
}
