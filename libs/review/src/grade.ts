import type { ReviewIssue } from './verdict.js';

/** @public */
export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

/** What a task's grade is computed from. @public */
export interface GradeInput {
  readonly succeeded: boolean;
  /** Times a validation failure went back to the agent. */
  readonly validationRetries: number;
  /** Review rounds run (0 when there was no review). */
  readonly reviewRounds: number;
  /** Issues the last review round still listed (empty when it approved). */
  readonly unresolvedIssues: readonly Pick<ReviewIssue, 'severity'>[];
  /** The review could not happen (no second agent) although it was enabled. */
  readonly reviewSkipped: boolean;
}

/** Points off per unresolved issue, by severity. */
const ISSUE_PENALTY = { high: 15, medium: 8, low: 3 } as const;

/**
 * The quality score (0–100) of a task: 100, minus 10 per validation retry, minus 10 per review
 * round after the first, minus 15 / 8 / 3 per unresolved high / medium / low issue, minus 20 when
 * an enabled review could not run. A failed task scores 0.
 * @public
 */
export function taskScore(input: GradeInput): number {
  if (!input.succeeded) return 0;
  let score = 100;
  score -= 10 * input.validationRetries;
  score -= 10 * Math.max(0, input.reviewRounds - 1);
  for (const issue of input.unresolvedIssues) score -= ISSUE_PENALTY[issue.severity];
  if (input.reviewSkipped) score -= 20;
  return Math.max(0, Math.min(100, score));
}

/** The band of a score: A ≥ 90, B ≥ 75, C ≥ 60, D below. @public */
export function gradeOfScore(score: number): Exclude<Grade, 'F'> {
  if (score >= 90) return 'A';
  if (score >= 75) return 'B';
  if (score >= 60) return 'C';
  return 'D';
}

/** A task's grade: F when it failed, else its score's band. @public */
export function taskGrade(input: GradeInput): { grade: Grade; score: number } {
  const score = taskScore(input);
  return { grade: input.succeeded ? gradeOfScore(score) : 'F', score };
}

/** The grade of recent work: the band of the mean score (failed tasks count as 0), or null with none. @public */
export function overallGrade(scores: readonly number[]): Exclude<Grade, 'F'> | null {
  if (scores.length === 0) return null;
  return gradeOfScore(scores.reduce((a, b) => a + b, 0) / scores.length);
}
