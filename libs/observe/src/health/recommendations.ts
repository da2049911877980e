import type { HealthGrade } from './grade.js';
import type { HealthInputs } from './health-inputs.js';
import type { HealthCounts } from './health-score.js';
import type { HealthDimension } from './health-types.js';

const MAX_RECOMMENDATIONS = 8;

interface RecommendationContext {
  readonly project: string | undefined;
  readonly since: string;
  readonly windowDays: number;
  readonly grade: HealthGrade;
  readonly hasData: boolean;
}

const pct = (value: number | null): string => `${(value ?? 0).toFixed(0)}%`;
const scoreOf = (dimensions: readonly HealthDimension[], name: HealthDimension['name']): number | null =>
  dimensions.find((d) => d.name === name)?.score ?? null;

/** What to do next, most pressing first: plain sentences for the CLI and the dashboard. */
export function recommendations(
  inputs: HealthInputs,
  counts: HealthCounts,
  dimensions: readonly HealthDimension[],
  context: RecommendationContext,
): string[] {
  const out: string[] = [];
  const where = context.project === undefined ? '' : ` for ${context.project}`;
  const days = String(context.windowDays);
  if (!context.hasData)
    out.push(
      `No telemetry${where} in the last ${days} days and no rule scan: run tasks and \`harness rule check\` so the grade reflects real work (it reads A until then).`,
    );
  const { violations } = inputs;
  if (context.hasData && violations.scans.length === 0)
    out.push(`No rule scan recorded${where}: run \`harness rule check\` so rule violations count in the grade.`);
  const stale = violations.scans.filter((scan) => scan.at < context.since);
  if (stale.length > 0)
    out.push(
      `The latest rule scan of ${stale.map((s) => s.project).join(', ')} is older than ${days} days: run \`harness rule check\` again.`,
    );
  const severe = violations.bySeverity.critical + violations.bySeverity.high;
  const topRule = violations.byRule[0];
  if (severe > 0 && topRule !== undefined)
    out.push(
      `Fix the ${String(violations.bySeverity.critical)} critical and ${String(violations.bySeverity.high)} high-severity rule violation(s) first; the most frequent rule is ${topRule.ruleId} (${String(topRule.count)}).`,
    );
  const success = scoreOf(dimensions, 'task_success');
  if (success !== null && success < 80) {
    const top = inputs.failureClasses.find((g) => g.reason !== 'cancelled' && g.reason !== 'interrupted');
    out.push(
      `Only ${pct(success)} of finished tasks were implemented${top?.reason == null ? '' : `; the most common failure class is ${top.reason} (${String(top.count)})`}.`,
    );
  }
  const validation = scoreOf(dimensions, 'validation');
  const failing = inputs.failingValidations[0];
  if (validation !== null && validation < 80 && failing !== undefined)
    out.push(
      `Validation passes only ${pct(validation)} of runs; the command failing most is ${failing.tool ?? '(unnamed)'} (${String(failing.count)} failures).`,
    );
  const review = scoreOf(dimensions, 'review');
  if (review !== null && review < 60)
    out.push(
      `Reviewers approve only ${pct(review)} of first rounds: sharpen task descriptions or add rules for the issues they raise.`,
    );
  if (counts.agentTimeouts > 0)
    out.push(`${String(counts.agentTimeouts)} agent run(s) timed out: split large tasks or raise the agent timeout.`);
  const slow = inputs.slowOperations[0];
  if (slow !== undefined && counts.slowOperations > 0)
    out.push(
      `${String(counts.slowOperations)} slow operation(s); the most frequent is ${slow.tool ?? '(unnamed)'} (${String(slow.count)}).`,
    );
  if (context.grade === 'D') out.push('Grade D: GC runs every hour until the score is back to 60 or more.');
  return out.slice(0, MAX_RECOMMENDATIONS);
}
