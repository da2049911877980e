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
  REVIEW_ACT_LIMITS,
  REVIEW_FIX_DESCRIPTION,
  REVIEW_ISSUE_LABEL,
  REVIEW_JSON_END,
  REVIEW_JSON_START,
  REVIEW_LIMITS,
  REVIEW_RUN_STATUSES,
  ReviewStore,
  bySeverity,
  findingFingerprint,
  findingId,
  findingIssue,
  findingsAtOrAbove,
  issueFingerprint,
  parseReviewReport,
  reviewFixPrompt,
  reviewListLimit,
  reviewPrompt,
  reviewRunJson,
  synthesisPrompt,
  violationLines,
} from './periodic/index.js';
export type {
  FindingIssue,
  FindingSeverity,
  ParseReviewOptions,
  ParsedReviewReport,
  PromptViolation,
  ReviewActContext,
  ReviewFinding,
  ReviewListFilter,
  ReviewPromptInput,
  ReviewReport,
  ReviewRun,
  ReviewRunStatus,
  ReviewStrategy,
  ReviewerReport,
} from './periodic/index.js';
