import type { Decision, Severity } from '../events/telemetry-event.js';
import type { GcInterval, HealthGrade } from './grade.js';

/** @public */
export type HealthDimensionName = 'task_success' | 'validation' | 'review' | 'rule_violations' | 'stability';

/** One part of the score. `score` is null when the window holds nothing to judge it by. @public */
export interface HealthDimension {
  readonly name: HealthDimensionName;
  /** Its share of the score, among the dimensions that have data. */
  readonly weight: number;
  readonly score: number | null;
  /** How many events (or scans) it was computed from. */
  readonly samples: number;
  readonly detail: string;
}

/** @public */
export interface RuleViolationCount {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly count: number;
}

/** The latest rule scan of a project. @public */
export interface ScanRef {
  readonly project: string;
  readonly scanId: string;
  readonly at: string;
}

/** Violations of the latest rule scan (of each project, for all projects). @public */
export interface ViolationSummary {
  readonly total: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /** Most frequent first, at most 50. */
  readonly byRule: readonly RuleViolationCount[];
  readonly scans: readonly ScanRef[];
}

/** Events in the report's window. @public */
export interface EventSummary {
  readonly total: number;
  readonly byHook: Readonly<Record<string, number>>;
  readonly byDecision: Readonly<Record<Decision, number>>;
}

/** @public */
export interface HealthReport {
  /** null: all projects together. */
  readonly project: string | null;
  readonly generatedAt: string;
  /** Events from `since` on were read (rule scans: the latest, whenever it ran). */
  readonly window: { readonly since: string; readonly days: number };
  /** False when no dimension had data: the score is then 100 by convention, and the recommendations say so. */
  readonly hasData: boolean;
  /** 0–100, one decimal; the grade is read from this rounded value. */
  readonly score: number;
  readonly grade: HealthGrade;
  readonly dimensions: readonly HealthDimension[];
  readonly violations: ViolationSummary;
  readonly events: EventSummary;
  readonly recommendations: readonly string[];
  readonly gcInterval: GcInterval;
  readonly gcIntervalMs: number;
}

/** Reports for all projects together and for each project with events in the window or a rule scan. @public */
export interface HealthReports {
  readonly overall: HealthReport;
  readonly projects: readonly HealthReport[];
}
