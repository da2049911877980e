import type { ReviewRunOutcome } from './review-service.js';
import { reviewRunJson, type ReviewRun } from '@agent-harness/review';

/** Findings this serious keep a cross review from `APPROVED`. */
const BLOCKING = new Set(['critical', 'high']);

/**
 * `cross_review`'s answer: the stored review (as `review_list` shows it) and the original's
 * `final_verdict`: `APPROVED` when no finding is high or critical, `CHANGES_REQUESTED` when one is,
 * `FAILED` when the review could not be done; a skipped review (an inactive project) says why.
 */
export function crossReviewAnswer(outcome: ReviewRunOutcome, run: ReviewRun | undefined): object {
  if (outcome.status === 'skipped' || run === undefined)
    return {
      status: 'skipped',
      project: outcome.project,
      reason: outcome.status === 'skipped' ? outcome.reason : 'not_stored',
      final_verdict: 'SKIPPED',
    };
  const verdict =
    run.status === 'failed'
      ? 'FAILED'
      : run.findings.some((f) => BLOCKING.has(f.severity))
        ? 'CHANGES_REQUESTED'
        : 'APPROVED';
  return { ...reviewRunJson(run), final_verdict: verdict };
}
