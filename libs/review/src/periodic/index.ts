// The periodic whole-repo review: prompts, the strict report parser, the store port (with its
// contract and an in-memory store).
export {
  FINDING_SEVERITIES,
  REVIEW_JSON_END,
  REVIEW_JSON_START,
  REVIEW_LIMITS,
  bySeverity,
  findingId,
  parseReviewReport,
} from './review-report.js';
export type {
  FindingSeverity,
  ParseReviewOptions,
  ParsedReviewReport,
  ReviewFinding,
  ReviewReport,
} from './review-report.js';
export {
  MAX_PROMPT_SECTION_CHARS,
  MAX_PROMPT_VIOLATIONS,
  reviewPrompt,
  synthesisPrompt,
  violationLines,
} from './periodic-review.js';
export type { PromptViolation, ReviewPromptInput, ReviewerReport } from './periodic-review.js';
export {
  DEFAULT_REVIEW_LIST_LIMIT,
  MAX_REVIEW_LIST_LIMIT,
  REVIEW_RUN_STATUSES,
  ReviewStore,
  reviewListLimit,
} from './review-store.js';
export type { ReviewListFilter, ReviewRun, ReviewRunStatus, ReviewStrategy } from './review-store.js';
export { reviewRunJson } from './review-json.js';
export {
  REVIEW_ACT_LIMITS,
  REVIEW_FIX_DESCRIPTION,
  REVIEW_ISSUE_LABEL,
  findingFingerprint,
  findingIssue,
  findingsAtOrAbove,
  issueFingerprint,
  reviewFixPrompt,
} from './finding-actions.js';
export type { FindingIssue, ReviewActContext } from './finding-actions.js';
