// Public API of @agent-harness/review.
export { VERDICT_INSTRUCTIONS, parseVerdict } from './verdict.js';
export type { ReviewIssue, Severity, Verdict } from './verdict.js';
export { gradeOfScore, overallGrade, taskGrade, taskScore } from './grade.js';
export type { Grade, GradeInput } from './grade.js';

// The periodic whole-repo review.
export {
  DEFAULT_REVIEW_LIST_LIMIT,
  FINDING_SEVERITIES,
  MAX_PROMPT_SECTION_CHARS,
  MAX_PROMPT_VIOLATIONS,
  MAX_REVIEW_LIST_LIMIT,
  REVIEW_JSON_END,
  REVIEW_JSON_START,
  REVIEW_LIMITS,
  REVIEW_RUN_STATUSES,
  ReviewStore,
  bySeverity,
  findingId,
  parseReviewReport,
  reviewListLimit,
  reviewPrompt,
  reviewRunJson,
  synthesisPrompt,
  violationLines,
} from './periodic/index.js';
export type {
  FindingSeverity,
  ParseReviewOptions,
  ParsedReviewReport,
  PromptViolation,
  ReviewFinding,
  ReviewListFilter,
  ReviewPromptInput,
  ReviewReport,
  ReviewRun,
  ReviewRunStatus,
  ReviewStrategy,
  ReviewerReport,
} from './periodic/index.js';
