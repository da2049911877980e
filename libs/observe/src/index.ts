// Public API of @agent-harness/observe.
export { DECISIONS, EVENT_FIELD_LIMITS, EVENT_HOOKS, SEVERITIES, TRUNCATION_MARK } from './events/telemetry-event.js';
export type {
  Decision,
  EventHook,
  NewTelemetryEvent,
  Severity,
  TelemetryEvent,
  TelemetryEventDraft,
} from './events/telemetry-event.js';
export { normalizeEvent, normalizeTimestamp, truncateUtf8, withoutUnset } from './events/normalize-event.js';
export {
  EVENT_GROUP_KEYS,
  EventStore,
  MAX_DELETE_BATCH,
  MAX_FILTER_HOOKS,
  MAX_GROUPS,
  MAX_QUERY_LIMIT,
  boundedLimit,
  checkCursor,
  checkDeleteBatch,
  checkGroupKeys,
  normalizeFilter,
} from './events/event-store.js';
export type { EventFilter, EventGroupCount, EventGroupKey, EventQuery } from './events/event-store.js';
export {
  fileEditEvent,
  qualityGradeEvent,
  reviewRoundEvent,
  ruleCheckEvent,
  ruleScanEvent,
  slowOperationEvent,
  taskFailedEvent,
  taskImplementedEvent,
  validationEvent,
} from './events/event-builders.js';
export { emptySeverityCounts, formatRuleScanSummary, parseRuleScanSummary } from './events/rule-scan-summary.js';
export type { RuleScanSummary } from './events/rule-scan-summary.js';

export { systemTimer } from './runtime-ports.js';
export type { CancelTimer, ObserveLogger, ScheduleTimer } from './runtime-ports.js';
export { TelemetryEmitter } from './emitter/telemetry-emitter.js';
export type { TelemetryEmitterOptions, TelemetryEmitterStats, TelemetrySink } from './emitter/telemetry-emitter.js';

export { GC_INTERVALS, gradeForScore } from './health/grade.js';
export type { GcInterval, HealthGrade } from './health/grade.js';
export { DIMENSION_WEIGHTS, VIOLATION_PENALTY } from './health/health-score.js';
export {
  DEFAULT_HEALTH_WINDOW_MS,
  buildHealthReport,
  buildHealthReports,
  healthReportFromInputs,
} from './health/health-report.js';
export type { HealthReportOptions } from './health/health-report.js';
export type { HealthInputs } from './health/health-inputs.js';
export type {
  EventSummary,
  HealthDimension,
  HealthDimensionName,
  HealthReport,
  HealthReports,
  RuleViolationCount,
  ScanRef,
  ViolationSummary,
} from './health/health-types.js';

export { applyRetention, retentionCutoff, startRetention } from './retention/retention.js';
export type { RetentionJob, RetentionJobOptions, RetentionOptions, RetentionResult } from './retention/retention.js';

// OpenTelemetry export of task traces and metrics (`[otel]`); the SDK loads only when enabled.
export { DEFAULT_OTLP_ENDPOINTS, startOtel } from './otel/start-otel.js';
export type { OtelExport, OtelExporterKind, OtelSettings } from './otel/start-otel.js';
export { TRACED_PHASES } from './otel/task-tracer.js';
export type {
  TaskTracer,
  TracedAgentRun,
  TracedOutcome,
  TracedPhase,
  TracedPhaseStart,
  TracedTaskEnd,
  TracedTaskStart,
} from './otel/task-tracer.js';
