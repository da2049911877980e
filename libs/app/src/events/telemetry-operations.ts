import { AppError, plainText } from '@agent-harness/core';
import { GC_EVENT_HOOKS } from '@agent-harness/gc';
import { DECISIONS, EVENT_HOOKS, type Decision, type EventStore } from '@agent-harness/observe';
import { SKILL_EVENT_HOOKS } from '@agent-harness/skills';
import { GITHUB_INTAKE_HOOK } from '../github/github-issue-intake.js';
import { GITHUB_WEBHOOK_HOOK } from '../github/github-webhooks.js';
import { SCHEDULER_HOOK } from '../jobs/job-runner.js';
import { SELF_EVOLUTION_HOOK } from '../jobs/scheduler-jobs.js';
import { PERIODIC_REVIEW_HOOK } from '../reviews/review-service.js';
import { defineOperation } from '../operation.js';
import { EventLogInput, StatsQueryInput } from './event-inputs.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** `stats_query`'s default window and its trends' length, in days (the original's 7-day trends). */
const TREND_DAYS = 7;

/**
 * Kinds only Harness writes: another tool may not log them, so the telemetry GC and the health
 * grade read about Harness's own work stays Harness's.
 */
const OWN_HOOKS: ReadonlySet<string> = new Set([
  ...EVENT_HOOKS,
  ...GC_EVENT_HOOKS,
  ...Object.values(SKILL_EVENT_HOOKS),
  PERIODIC_REVIEW_HOOK,
  SELF_EVOLUTION_HOOK,
  SCHEDULER_HOOK,
  GITHUB_WEBHOOK_HOOK,
  GITHUB_INTAKE_HOOK,
]);

/** The ports of the telemetry operations. */
export interface TelemetryPorts {
  readonly events: Pick<EventStore, 'append' | 'countBy'>;
}

type DecisionCounts = Partial<Record<Decision, number>>;

/** An ISO-8601 input as milliseconds; one the validator lets through but no clock reads (a week date) is refused. */
export function instant(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new AppError('INVALID_ARGUMENT', `${field} must be a date and time such as 2026-12-01T00:00:00Z`);
  return ms;
}

function byDecision(groups: readonly { decision: string | null; count: number }[]): DecisionCounts {
  const counts: DecisionCounts = {};
  for (const { decision, count } of groups)
    if (decision !== null && (DECISIONS as readonly string[]).includes(decision))
      counts[decision as Decision] = (counts[decision as Decision] ?? 0) + count;
  return counts;
}

/** Another tool's text, stored without what could rewrite a terminal line or a page (GC and the CLI show it). */
const clean = (text: string | undefined): string | undefined => (text === undefined ? undefined : plainText(text));

export const eventLog = defineOperation({
  name: 'event_log',
  summary:
    "Store one event another tool reports (a hook script's warning, a check's block); Harness's own kinds are refused",
  input: EventLogInput,
  async execute(ports: TelemetryPorts, input) {
    const { event } = input;
    if (OWN_HOOKS.has(event.hook))
      throw new AppError(
        'INVALID_ARGUMENT',
        `event.hook ${event.hook} is a kind Harness itself writes; use a kind of your own`,
      );
    const ts = new Date().toISOString();
    await ports.events.append([
      {
        ts,
        hook: event.hook,
        decision: event.decision ?? 'pass',
        project: event.project,
        sessionId: event.session_id,
        tool: clean(event.tool),
        severity: event.severity,
        reason: clean(event.reason),
        detail: clean(event.detail),
        durationMs: event.duration_ms,
        content: clean(event.content),
      },
    ]);
    return { logged: true, hook: event.hook, ts };
  },
});

export const statsQuery = defineOperation({
  name: 'stats_query',
  summary: 'Telemetry counts: per kind and decision, per rule, and their trends over the last 7 days',
  input: StatsQueryInput,
  async execute(ports: TelemetryPorts, input) {
    const untilMs = instant('until', input.until) ?? Date.now();
    const sinceMs = instant('since', input.since) ?? untilMs - TREND_DAYS * DAY_MS;
    if (sinceMs >= untilMs) throw new AppError('INVALID_ARGUMENT', 'since must be before until');
    // As stored: UTC ISO-8601 text compares as time.
    const until = new Date(untilMs).toISOString();
    const since = new Date(sinceMs).toISOString();
    const { events } = ports;
    const hookGroups = await events.countBy({ since, until }, ['hook', 'decision']);
    const hooks = [...new Set(hookGroups.map((g) => g.hook ?? ''))];
    const hook_stats = hooks.map((hook) => {
      const mine = hookGroups.filter((g) => (g.hook ?? '') === hook);
      return { hook, total: mine.reduce((sum, g) => sum + g.count, 0), by_decision: byDecision(mine) };
    });
    const rule_stats = (await events.countBy({ hook: 'rule_check', since, until }, ['tool', 'severity'])).map((g) => ({
      rule_id: g.tool,
      severity: g.severity,
      count: g.count,
    }));
    // One day at a time, oldest first, ending at `until`.
    const days = Array.from({ length: TREND_DAYS }, (_, i) => {
      const end = Date.parse(until) - (TREND_DAYS - 1 - i) * DAY_MS;
      return { since: new Date(end - DAY_MS).toISOString(), until: new Date(end).toISOString() };
    });
    const trends = [];
    const rule_trends = [];
    for (const day of days) {
      const groups = await events.countBy(day, ['decision']);
      trends.push({ ...day, total: groups.reduce((sum, g) => sum + g.count, 0), by_decision: byDecision(groups) });
      const [rules] = await events.countBy({ ...day, hook: 'rule_check' }, []);
      rule_trends.push({ ...day, violations: rules?.count ?? 0 });
    }
    return { since, until, hook_stats, trends, rule_stats, rule_trends };
  },
});
