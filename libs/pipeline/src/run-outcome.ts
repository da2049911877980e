import type { FailureClass } from '@agent-harness/core';
import type { ReviewResult } from './review-phase.js';

/** How a run ended, before it is recorded: every phase answers with this (or 'ok' to go on). */
export type RunOutcome =
  | { readonly kind: 'done'; readonly commit: string; readonly review: ReviewResult }
  | { readonly kind: 'failed'; readonly error: string; readonly failureClass: FailureClass }
  | { readonly kind: 'cancelled' }
  | {
      readonly kind: 'requeue';
      readonly attempt: number;
      readonly notBefore?: string | undefined;
      readonly reason: string;
    };

/** "failed: <the agent's message>" or "timed out: …": the reason once, then the agent's words. */
export function agentFailure(result: { readonly reason: string; readonly message?: string | undefined }): string {
  const message =
    result.message?.startsWith(`${result.reason}: `) === true
      ? result.message.slice(result.reason.length + 2)
      : result.message;
  return `${result.reason}${message === undefined ? '' : `: ${message}`}`;
}
