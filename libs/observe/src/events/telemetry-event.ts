/**
 * What happened, as one row of the append-only telemetry table. Only `hook` (the event kind) and
 * `decision` are always set; README.md says which fields each kind uses.
 */

/**
 * How an event judged what it saw: `pass`/`complete` went well, `warn` needs a look, `block` and
 * `gate` stopped something, `escalate` needs a person.
 * @public
 */
export const DECISIONS = ['pass', 'warn', 'block', 'gate', 'escalate', 'complete'] as const;
/** @public */
export type Decision = (typeof DECISIONS)[number];

/** The event kinds Harness itself emits (the `hook` field). Other tools may add their own kinds. @public */
export const EVENT_HOOKS = [
  'task_implemented',
  'task_failed',
  'validation',
  'review_round',
  'file_edit',
  'slow_operation',
  'quality_grade',
  'rule_scan',
  'rule_check',
] as const;
/** @public */
export type EventHook = (typeof EVENT_HOOKS)[number];

/** A rule's severity, carried by `rule_check` events. @public */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** @public */
export type Severity = (typeof SEVERITIES)[number];

/**
 * An event to store: `ts` is an ISO-8601 instant; the store assigns the id. Text fields longer
 * than their limit (see `EVENT_FIELD_LIMITS`) are cut, never refused.
 * @public
 */
export interface NewTelemetryEvent {
  readonly ts: string;
  /** Lower-case snake case, 1–64 characters: one of `EVENT_HOOKS` or a kind of another tool. */
  readonly hook: string;
  readonly decision: Decision;
  readonly project?: string | undefined;
  readonly taskId?: string | undefined;
  /** Groups events of one run: an agent session, or a rule scan (its `rule_check` events). */
  readonly sessionId?: string | undefined;
  readonly tool?: string | undefined;
  readonly severity?: Severity | undefined;
  readonly reason?: string | undefined;
  readonly detail?: string | undefined;
  /** Whole milliseconds, ≥ 0. */
  readonly durationMs?: number | undefined;
  /** Bulky text (command output, a diff excerpt): read back only when asked for. */
  readonly content?: string | undefined;
}

/** A stored event: ids grow with every append, so a higher id is a later append. @public */
export interface TelemetryEvent extends NewTelemetryEvent {
  readonly id: number;
}

/** An event before it is stamped: the emitter sets `ts` from its clock when it is missing. @public */
export type TelemetryEventDraft = Omit<NewTelemetryEvent, 'ts'> & { readonly ts?: string | undefined };

/**
 * The most each text field keeps, in UTF-8 bytes; longer values are cut at a character boundary
 * and end with `TRUNCATION_MARK`. Bounded rows keep the table, its indexes and every read small.
 * @public
 */
export const EVENT_FIELD_LIMITS = {
  project: 200,
  taskId: 64,
  sessionId: 200,
  tool: 200,
  reason: 1024,
  detail: 4096,
  content: 65_536,
} as const;

/** Ends a value that was cut to its limit. @public */
export const TRUNCATION_MARK = '…[truncated]';
