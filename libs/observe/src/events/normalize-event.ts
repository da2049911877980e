import { AppError } from '@agent-harness/core';
import {
  DECISIONS,
  EVENT_FIELD_LIMITS,
  SEVERITIES,
  TRUNCATION_MARK,
  type Decision,
  type NewTelemetryEvent,
  type Severity,
} from './telemetry-event.js';

const HOOK_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/** 9999-12-31T23:59:59.999Z: later instants do not print as fixed-width ISO text, which must sort as text. */
const LATEST_INSTANT = 253_402_300_799_999;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MARK_BYTES = encoder.encode(TRUNCATION_MARK).length;

/**
 * `value` cut to at most `maxBytes` of UTF-8, ending with `TRUNCATION_MARK` when cut. A character
 * split by the cut is dropped whole.
 * @public
 */
export function truncateUtf8(value: string, maxBytes: number): string {
  // Every UTF-16 unit is at most 3 UTF-8 bytes: most values need no encoding at all.
  if (value.length * 3 <= maxBytes) return value;
  const bytes = encoder.encode(value);
  if (bytes.length <= maxBytes) return value;
  const kept = decoder.decode(bytes.subarray(0, Math.max(0, maxBytes - MARK_BYTES))).replace(/\uFFFD+$/, '');
  return `${kept}${TRUNCATION_MARK}`;
}

/** An ISO-8601 instant in the one form the stores compare as text (`2026-11-24T10:00:00.000Z`). @public */
export function normalizeTimestamp(value: string): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0 || ms > LATEST_INSTANT)
    throw new AppError('INVALID_ARGUMENT', `not an ISO-8601 instant between 1970 and 9999: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function isDecision(value: unknown): value is Decision {
  return (DECISIONS as readonly unknown[]).includes(value);
}

function isSeverity(value: unknown): value is Severity {
  return (SEVERITIES as readonly unknown[]).includes(value);
}

function bounded(value: string | undefined, field: keyof typeof EVENT_FIELD_LIMITS): string | undefined {
  return value === undefined ? undefined : truncateUtf8(value, EVENT_FIELD_LIMITS[field]);
}

/**
 * The event as every store keeps it: timestamp in one ISO form, text fields cut to their limits,
 * the duration in whole milliseconds, fields left unset omitted. Throws `INVALID_ARGUMENT` for
 * what cannot be stored faithfully: a bad timestamp, hook, decision, severity or duration.
 * @public
 */
export function normalizeEvent(event: NewTelemetryEvent): NewTelemetryEvent {
  if (typeof event.hook !== 'string' || !HOOK_PATTERN.test(event.hook))
    throw new AppError(
      'INVALID_ARGUMENT',
      `an event hook is 1-64 lower-case letters, digits or "_", starting with a letter: ${JSON.stringify(event.hook)}`,
    );
  if (!isDecision(event.decision))
    throw new AppError(
      'INVALID_ARGUMENT',
      `an event decision is one of ${DECISIONS.join(', ')}: ${JSON.stringify(event.decision)}`,
    );
  if (event.severity !== undefined && !isSeverity(event.severity))
    throw new AppError(
      'INVALID_ARGUMENT',
      `an event severity is one of ${SEVERITIES.join(', ')}: ${JSON.stringify(event.severity)}`,
    );
  const { durationMs } = event;
  if (durationMs !== undefined && (!Number.isFinite(durationMs) || durationMs < 0))
    throw new AppError(
      'INVALID_ARGUMENT',
      `an event duration is a finite number of milliseconds ≥ 0: ${String(durationMs)}`,
    );
  const normalized: NewTelemetryEvent = {
    ts: normalizeTimestamp(event.ts),
    hook: event.hook,
    decision: event.decision,
    project: bounded(event.project, 'project'),
    taskId: bounded(event.taskId, 'taskId'),
    sessionId: bounded(event.sessionId, 'sessionId'),
    tool: bounded(event.tool, 'tool'),
    severity: event.severity,
    reason: bounded(event.reason, 'reason'),
    detail: bounded(event.detail, 'detail'),
    durationMs: durationMs === undefined ? undefined : Math.round(durationMs),
    content: bounded(event.content, 'content'),
  };
  return withoutUnset(normalized);
}

/** A copy without the keys whose value is `undefined`: stored and read-back events compare equal. @public */
export function withoutUnset<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
