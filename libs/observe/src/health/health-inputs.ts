import type { EventFilter, EventStore } from '../events/event-store.js';
import { emptySeverityCounts, parseRuleScanSummary } from '../events/rule-scan-summary.js';
import { SEVERITIES, type Severity } from '../events/telemetry-event.js';
import type { RuleViolationCount, ScanRef, ViolationSummary } from './health-types.js';

/** What the score is computed from: a handful of aggregates, each one bounded query. */
export interface HealthInputs {
  /** Events in the window per (hook, decision). */
  readonly byHookAndDecision: readonly { hook: string | null; decision: string | null; count: number }[];
  /** `task_failed` events in the window per failure class. */
  readonly failureClasses: readonly { reason: string | null; count: number }[];
  /** First review rounds in the window per decision. */
  readonly firstReviews: readonly { decision: string | null; count: number }[];
  readonly failingValidations: readonly { tool: string | null; count: number }[];
  readonly slowOperations: readonly { tool: string | null; count: number }[];
  readonly violations: ViolationSummary;
}

const MAX_RULES_LISTED = 50;

function isSeverity(value: string | null): value is Severity {
  return (SEVERITIES as readonly (string | null)[]).includes(value);
}

/** The projects with a rule scan: each one's latest scan counts towards all projects' violations. */
async function scannedProjects(store: EventStore, project: string | undefined): Promise<string[]> {
  if (project !== undefined) return [project];
  const groups = await store.countBy({ hook: 'rule_scan' }, ['project']);
  return groups.flatMap((g) => (g.project === null ? [] : [g.project]));
}

/**
 * Violations of each project's latest rule scan, added up. Severity counts come from the scan's
 * own summary when it has one (right even if not every violation became an event); the per-rule
 * list from its `rule_check` events, unknown severities read as medium.
 */
async function latestViolations(store: EventStore, project: string | undefined): Promise<ViolationSummary> {
  const bySeverity = emptySeverityCounts();
  const byRule = new Map<string, RuleViolationCount>();
  const scans: ScanRef[] = [];
  for (const name of await scannedProjects(store, project)) {
    const scan = await store.latest({ project: name, hook: 'rule_scan' });
    if (scan?.sessionId === undefined) continue;
    scans.push({ project: name, scanId: scan.sessionId, at: scan.ts });
    const rules = await store.countBy({ project: name, hook: 'rule_check', sessionId: scan.sessionId }, [
      'tool',
      'severity',
    ]);
    const counted = emptySeverityCounts();
    for (const group of rules) {
      const severity = isSeverity(group.severity) ? group.severity : 'medium';
      counted[severity] += group.count;
      const ruleId = group.tool ?? '(no rule id)';
      const key = `${ruleId}\u0000${severity}`;
      byRule.set(key, { ruleId, severity, count: (byRule.get(key)?.count ?? 0) + group.count });
    }
    const reported = parseRuleScanSummary(scan.detail)?.violations ?? counted;
    for (const severity of SEVERITIES) bySeverity[severity] += reported[severity];
  }
  const total = SEVERITIES.reduce((sum, severity) => sum + bySeverity[severity], 0);
  const rules = [...byRule.values()]
    .sort((a, b) => b.count - a.count || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0))
    .slice(0, MAX_RULES_LISTED);
  return { total, bySeverity, byRule: rules, scans };
}

/** Reads the aggregates for one project (or all) from `since` on. */
export async function readHealthInputs(
  store: EventStore,
  project: string | undefined,
  since: string,
): Promise<HealthInputs> {
  const window: EventFilter = { project, since };
  const [byHookAndDecision, failureClasses, firstReviews, failingValidations, slowOperations, violations] =
    await Promise.all([
      store.countBy(window, ['hook', 'decision']),
      store.countBy({ ...window, hook: 'task_failed' }, ['reason']),
      store.countBy({ ...window, hook: 'review_round', detail: '1' }, ['decision']),
      store.countBy({ ...window, hook: 'validation', decision: 'block' }, ['tool'], 3),
      store.countBy({ ...window, hook: 'slow_operation' }, ['tool'], 3),
      latestViolations(store, project),
    ]);
  return { byHookAndDecision, failureClasses, firstReviews, failingValidations, slowOperations, violations };
}
