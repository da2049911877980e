import { AppError } from '@agent-harness/core';
import { PLAN_LIMITS } from './exec-plan.types.js';

/** Control characters and the Unicode line separators: never inside one line of a plan. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const LINE_BREAKING = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;
/** The same, but tabs and newlines are allowed (rationales and evidence span lines). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_NOTE = /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029]/;
/** Task ids: what the engine makes (UUIDs) and what tests use; never a path or a Markdown delimiter. */
const TASK_ID = /^[A-Za-z0-9][\w.-]*$/;
/** ISO-8601 UTC as `Date#toISOString` writes it (years 0000–9999). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Throws INVALID_ARGUMENT with the field named first. */
export function invalid(field: string, problem: string): never {
  throw new AppError('INVALID_ARGUMENT', `${field}: ${problem}`, { details: { field } });
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A required string, else INVALID_ARGUMENT naming the field. */
export function requireString(field: string, value: unknown): string {
  if (value === undefined) invalid(field, 'required (a string)');
  if (typeof value !== 'string') invalid(field, `a string is required, not ${describeType(value)}`);
  return value;
}

/** One line of text: trimmed, not empty, no control characters, at most `max` characters. */
export function oneLine(field: string, value: unknown, max: number = PLAN_LIMITS.lineChars): string {
  const text = requireString(field, value).trim();
  if (text === '') invalid(field, 'must not be empty');
  if (LINE_BREAKING.test(text)) invalid(field, 'one line without control characters');
  if (text.length > max) invalid(field, `at most ${String(max)} characters, not ${String(text.length)}`);
  return text;
}

/**
 * Text that may span lines (a rationale, an evidence): line ends made `\n`, trimmed, not empty,
 * no control characters but tabs and newlines, at most `max` characters.
 */
export function note(field: string, value: unknown, max: number = PLAN_LIMITS.noteChars): string {
  const text = requireString(field, value)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
  if (text === '') invalid(field, 'must not be empty');
  if (CONTROL_IN_NOTE.test(text)) invalid(field, 'no control characters but tabs and line breaks');
  if (text.length > max) invalid(field, `at most ${String(max)} characters, not ${String(text.length)}`);
  return text;
}

/** A task id: letters, digits, `_`, `.`, `-`, at most 64 characters. */
export function taskId(field: string, value: unknown): string {
  const text = requireString(field, value);
  if (text.length > PLAN_LIMITS.taskIdChars || !TASK_ID.test(text))
    invalid(field, `a task id (letters, digits, "_", ".", "-"; at most ${String(PLAN_LIMITS.taskIdChars)} characters)`);
  return text;
}

/** A whole number ≥ 0. */
export function index(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    invalid(
      field,
      `a whole number ≥ 0 is required, not ${typeof value === 'number' ? String(value) : describeType(value)}`,
    );
  return value;
}

/** An ISO-8601 UTC instant such as `2026-11-24T10:00:00.000Z`. */
export function instant(field: string, value: unknown): string {
  const text = requireString(field, value);
  if (!ISO_INSTANT.test(text) || Number.isNaN(Date.parse(text)))
    invalid(field, `an ISO-8601 UTC time such as 2026-11-24T10:00:00.000Z, not ${JSON.stringify(text.slice(0, 40))}`);
  return text;
}

/** A list of at most `max` items, each checked by `item`. */
export function list<T>(field: string, value: unknown, max: number, item: (field: string, value: unknown) => T): T[] {
  if (!Array.isArray(value)) invalid(field, `an array is required, not ${describeType(value)}`);
  const items: readonly unknown[] = value;
  if (items.length > max) invalid(field, `at most ${String(max)} items, not ${String(items.length)}`);
  return items.map((entry, i) => item(`${field}[${String(i)}]`, entry));
}

/** A plain object (not an array, not null). */
export function record(field: string, value: unknown): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(field, `an object is required, not ${describeType(value)}`);
  return value as Readonly<Record<string, unknown>>;
}

/** Refuses keys other than `allowed` (a misspelt field is an error, not silently ignored). */
export function onlyKeys(
  field: string | undefined,
  value: Readonly<Record<string, unknown>>,
  allowed: readonly string[],
) {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      invalid(field === undefined ? key : `${field}.${key}`, `unknown field (expected ${allowed.join(', ')})`);
}
