import { AppError } from '@agent-harness/core';
import type { EventStore } from '../events/event-store.js';
import { DECISIONS, type Decision } from '../events/telemetry-event.js';
import { GC_INTERVALS, gradeForScore } from './grade.js';
import { readHealthInputs, type HealthInputs } from './health-inputs.js';
import { healthCounts, healthDimensions, overallScore } from './health-score.js';
import type { EventSummary, HealthReport, HealthReports } from './health-types.js';
import { recommendations } from './recommendations.js';

const DAY_MS = 86_400_000;
/** The default window: the last 30 days of events. @public */
export const DEFAULT_HEALTH_WINDOW_MS = 30 * DAY_MS;

/** @public */
export interface HealthReportOptions {
  /** One project; absent: all projects together. */
  readonly project?: string | undefined;
  readonly now: Date;
  /** How far back events count, in ms. Default 30 days. */
  readonly windowMs?: number | undefined;
}

function windowOf(options: HealthReportOptions): { since: string; days: number } {
  const windowMs = options.windowMs ?? DEFAULT_HEALTH_WINDOW_MS;
  if (!Number.isFinite(windowMs) || windowMs <= 0)
    throw new AppError(
      'INVALID_ARGUMENT',
      `a health report window is a positive number of ms, not ${String(windowMs)}`,
    );
  return {
    since: new Date(Math.max(0, options.now.getTime() - windowMs)).toISOString(),
    days: Math.round((windowMs / DAY_MS) * 10) / 10,
  };
}

function eventSummary(inputs: HealthInputs): EventSummary {
  const byHook: Record<string, number> = {};
  const byDecision = Object.fromEntries(DECISIONS.map((d) => [d, 0])) as Record<Decision, number>;
  let total = 0;
  for (const group of inputs.byHookAndDecision) {
    total += group.count;
    if (group.hook !== null) byHook[group.hook] = (byHook[group.hook] ?? 0) + group.count;
    const decision = DECISIONS.find((d) => d === group.decision);
    if (decision !== undefined) byDecision[decision] += group.count;
  }
  return { total, byHook, byDecision };
}

/**
 * The health of one project (or all) as a pure function of what the inputs hold; exported for
 * specs that want to check the formula without a store.
 * @public
 */
export function healthReportFromInputs(
  inputs: HealthInputs,
  options: { project?: string | undefined; now: Date; since: string; days: number },
): HealthReport {
  const counts = healthCounts(inputs);
  const dimensions = healthDimensions(inputs, counts);
  const hasData = dimensions.some((d) => d.score !== null);
  const score = overallScore(dimensions);
  const grade = gradeForScore(score);
  const gc = GC_INTERVALS[grade];
  return {
    project: options.project ?? null,
    generatedAt: options.now.toISOString(),
    window: { since: options.since, days: options.days },
    hasData,
    score,
    grade,
    dimensions,
    violations: inputs.violations,
    events: eventSummary(inputs),
    recommendations: recommendations(inputs, counts, dimensions, {
      project: options.project,
      since: options.since,
      windowDays: options.days,
      grade,
      hasData,
    }),
    gcInterval: gc.interval,
    gcIntervalMs: gc.ms,
  };
}

/**
 * Score, grade, dimensions, violations, event summary, recommendations and the GC interval of one
 * project (or all projects together), from a few bounded aggregate queries (README: "Health report").
 * @public
 */
export async function buildHealthReport(store: EventStore, options: HealthReportOptions): Promise<HealthReport> {
  const window = windowOf(options);
  const inputs = await readHealthInputs(store, options.project, window.since);
  return healthReportFromInputs(inputs, { project: options.project, now: options.now, ...window });
}

/**
 * The all-projects report and one per project that has events in the window or a rule scan,
 * projects in name order.
 * @public
 */
export async function buildHealthReports(
  store: EventStore,
  options: Omit<HealthReportOptions, 'project'>,
): Promise<HealthReports> {
  const window = windowOf(options);
  const [active, scanned] = await Promise.all([
    store.countBy({ since: window.since }, ['project']),
    store.countBy({ hook: 'rule_scan' }, ['project']),
  ]);
  const names = [...new Set([...active, ...scanned].flatMap((g) => (g.project === null ? [] : [g.project])))].sort();
  const overall = await buildHealthReport(store, options);
  const projects: HealthReport[] = [];
  for (const project of names) projects.push(await buildHealthReport(store, { ...options, project }));
  return { overall, projects };
}
