import type { FailureClass } from '@agent-harness/core';
import type { HealthInputs } from './health-inputs.js';
import type { HealthDimension, HealthDimensionName } from './health-types.js';

/** Each dimension's share of the score (they add up to 1). @public */
export const DIMENSION_WEIGHTS: Readonly<Record<HealthDimensionName, number>> = {
  task_success: 0.3,
  validation: 0.2,
  review: 0.15,
  rule_violations: 0.25,
  stability: 0.1,
};

/** Points one violation of the latest scan costs the rule dimension (from 100, floored at 0). @public */
export const VIOLATION_PENALTY = { critical: 10, high: 5, medium: 2, low: 1 } as const;

/** Failures that say nothing about the work: a person cancelled, or the server stopped. */
const NOT_COUNTED: readonly FailureClass[] = ['cancelled', 'interrupted'];

/** A slow operation weighs half an agent timeout in the stability dimension. */
const SLOW_OPERATION_WEIGHT = 0.5;

const round1 = (value: number): number => Math.round(value * 10) / 10;
const percent = (part: number, whole: number): number => (whole === 0 ? 0 : (100 * part) / whole);

/** The counts the dimensions and the recommendations read. */
export interface HealthCounts {
  readonly implemented: number;
  /** Failed tasks that count against success (not cancelled or interrupted). */
  readonly failed: number;
  readonly validationPassed: number;
  readonly validationBlocked: number;
  readonly firstRoundApproved: number;
  readonly firstRoundChangesRequested: number;
  readonly agentTimeouts: number;
  readonly slowOperations: number;
}

export function healthCounts(inputs: HealthInputs): HealthCounts {
  const events = (hook: string, decision?: string): number =>
    inputs.byHookAndDecision
      .filter((g) => g.hook === hook && (decision === undefined || g.decision === decision))
      .reduce((sum, g) => sum + g.count, 0);
  const failures = (classes: readonly string[]): number =>
    inputs.failureClasses
      .filter((g) => g.reason !== null && classes.includes(g.reason))
      .reduce((s, g) => s + g.count, 0);
  const reviews = (decision: string): number =>
    inputs.firstReviews.filter((g) => g.decision === decision).reduce((sum, g) => sum + g.count, 0);
  return {
    implemented: events('task_implemented'),
    failed: events('task_failed') - failures(NOT_COUNTED),
    validationPassed: events('validation', 'pass'),
    validationBlocked: events('validation', 'block'),
    firstRoundApproved: reviews('pass'),
    firstRoundChangesRequested: reviews('warn'),
    agentTimeouts: failures(['agent_timeout']),
    slowOperations: events('slow_operation'),
  };
}

function dimension(
  name: HealthDimensionName,
  samples: number,
  score: number,
  detail: string,
  noData: string,
): HealthDimension {
  return samples === 0
    ? { name, weight: DIMENSION_WEIGHTS[name], score: null, samples, detail: noData }
    : { name, weight: DIMENSION_WEIGHTS[name], score: round1(Math.min(100, Math.max(0, score))), samples, detail };
}

/** The five dimensions; the README's "Health report" section is the formula in words. */
export function healthDimensions(inputs: HealthInputs, counts: HealthCounts): HealthDimension[] {
  const finished = counts.implemented + counts.failed;
  const validations = counts.validationPassed + counts.validationBlocked;
  const reviews = counts.firstRoundApproved + counts.firstRoundChangesRequested;
  const { bySeverity, scans, total } = inputs.violations;
  const penalty =
    VIOLATION_PENALTY.critical * bySeverity.critical +
    VIOLATION_PENALTY.high * bySeverity.high +
    VIOLATION_PENALTY.medium * bySeverity.medium +
    VIOLATION_PENALTY.low * bySeverity.low;
  const incidents = counts.agentTimeouts + SLOW_OPERATION_WEIGHT * counts.slowOperations;
  const stabilitySamples = finished + counts.agentTimeouts + counts.slowOperations;
  return [
    dimension(
      'task_success',
      finished,
      percent(counts.implemented, finished),
      `${String(counts.implemented)} of ${String(finished)} finished tasks implemented`,
      'no finished tasks in the window',
    ),
    dimension(
      'validation',
      validations,
      percent(counts.validationPassed, validations),
      `${String(counts.validationPassed)} of ${String(validations)} validation runs passed`,
      'no validation runs in the window',
    ),
    dimension(
      'review',
      reviews,
      percent(counts.firstRoundApproved, reviews),
      `${String(counts.firstRoundApproved)} of ${String(reviews)} reviews approved in the first round`,
      'no reviews in the window',
    ),
    dimension(
      'rule_violations',
      scans.length,
      100 - penalty,
      `${String(total)} violation(s) in the latest scan (${String(bySeverity.critical)} critical, ${String(bySeverity.high)} high, ${String(bySeverity.medium)} medium, ${String(bySeverity.low)} low)`,
      'no rule scan recorded',
    ),
    dimension(
      'stability',
      stabilitySamples,
      100 * (1 - incidents / Math.max(1, finished)),
      `${String(counts.agentTimeouts)} agent timeout(s) and ${String(counts.slowOperations)} slow operation(s) for ${String(finished)} finished task(s)`,
      'no finished tasks or slow operations in the window',
    ),
  ];
}

/**
 * The weighted mean of the dimensions that have data (weights renormalized over them), rounded
 * to one decimal; 100 when none has data.
 */
export function overallScore(dimensions: readonly HealthDimension[]): number {
  let weighted = 0;
  let weights = 0;
  for (const d of dimensions) {
    if (d.score === null) continue;
    weighted += d.weight * d.score;
    weights += d.weight;
  }
  return weights === 0 ? 100 : round1(weighted / weights);
}
