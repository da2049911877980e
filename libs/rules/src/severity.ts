import { SEVERITIES, type Severity } from './rule.types.js';

const RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1 };

/** Higher is worse: critical 4, high 3, medium 2, low 1. Sorts and compares severities. @public */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/** Whether a violation of this severity fails a check (`harness rule check` exits 1). @public */
export function isBlocking(severity: Severity): boolean {
  return severityRank(severity) >= RANK.high;
}

/**
 * The event-store decision for a violation of this severity: critical/high block, medium warns,
 * low passes (the original's mapping of `rule_check` events).
 * @public
 */
export function severityDecision(severity: Severity): 'block' | 'warn' | 'pass' {
  if (isBlocking(severity)) return 'block';
  return severity === 'medium' ? 'warn' : 'pass';
}

/** A severity name in any letter case, or undefined when it is not one of the four. @public */
export function parseSeverity(text: string): Severity | undefined {
  const lower = text.trim().toLowerCase();
  return SEVERITIES.find((severity) => severity === lower);
}
