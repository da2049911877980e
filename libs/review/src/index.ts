// Public API of @agent-harness/review.
export { VERDICT_INSTRUCTIONS, parseVerdict } from './verdict.js';
export type { ReviewIssue, Severity, Verdict } from './verdict.js';
export { gradeOfScore, overallGrade, taskGrade, taskScore } from './grade.js';
export type { Grade, GradeInput } from './grade.js';
