import { AppError } from '@agent-harness/core';
import { normalizeTimestamp } from './normalize-event.js';
import type { Decision, NewTelemetryEvent, Severity, TelemetryEvent } from './telemetry-event.js';

/**
 * Which events a read or a count covers; every field narrows (AND). Time bounds compare the
 * event's `ts`: `since` inclusive, `until` exclusive.
 * @public
 */
export interface EventFilter {
  readonly project?: string | undefined;
  readonly taskId?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly hook?: string | undefined;
  /** Any of these hooks; an empty list matches nothing. */
  readonly hooks?: readonly string[] | undefined;
  readonly decision?: Decision | undefined;
  readonly tool?: string | undefined;
  readonly severity?: Severity | undefined;
  /** Exact match (a file path, a review round). */
  readonly detail?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  /** Only events with a duration of at least this many milliseconds. */
  readonly minDurationMs?: number | undefined;
  /**
   * Only events with a smaller id: `query`'s keyset cursor (pass the last id of the previous page),
   * and an id bound for counts (e.g. the earlier half of a window, split by id).
   */
  readonly beforeId?: number | undefined;
}

/** A page of events, newest (highest id) first. @public */
export interface EventQuery extends EventFilter {
  /** At most this many events; above `MAX_QUERY_LIMIT` reads `MAX_QUERY_LIMIT`. */
  readonly limit: number;
  /** `content` is left out unless asked for: it is the bulky field. */
  readonly includeContent?: boolean | undefined;
}

/** Fields events can be counted by. @public */
export const EVENT_GROUP_KEYS = [
  'project',
  'taskId',
  'sessionId',
  'hook',
  'decision',
  'tool',
  'severity',
  'reason',
  'detail',
] as const;
/** @public */
export type EventGroupKey = (typeof EVENT_GROUP_KEYS)[number];

/** One group of a `countBy`: its key values (`null` where the field is unset) and how many events. @public */
export type EventGroupCount<K extends EventGroupKey> = Readonly<Record<K, string | null>> & {
  readonly count: number;
};

/** The most events one `query` returns. @public */
export const MAX_QUERY_LIMIT = 1000;
/** The most groups one `countBy` returns. @public */
export const MAX_GROUPS = 1000;
/** The most hooks one filter's `hooks` may list. @public */
export const MAX_FILTER_HOOKS = 100;
/** The most events one `deleteOlderThan` call deletes. @public */
export const MAX_DELETE_BATCH = 50_000;

/**
 * The telemetry event store: append-only, read in bounded pages and aggregated where the data
 * lives (never "load everything"). `@agent-harness/persistence` implements it in SQL;
 * `InMemoryEventStore` for tests; `eventStoreContract` checks both alike.
 * @public
 */
export abstract class EventStore {
  /**
   * Stores events (normalized by `normalizeEvent`: invalid ones make the call fail with
   * `INVALID_ARGUMENT` and nothing of it stored).
   */
  abstract append(events: readonly NewTelemetryEvent[]): Promise<void>;

  /** Matching events, newest first, at most `limit` (capped at `MAX_QUERY_LIMIT`). */
  abstract query(query: EventQuery): Promise<TelemetryEvent[]>;

  /**
   * Matching events counted per distinct value of `keys`, most frequent first (ties by key values,
   * unset first), at most `limit` groups (default and cap `MAX_GROUPS`). No keys: one group, the total.
   */
  abstract countBy<K extends EventGroupKey>(
    filter: EventFilter,
    keys: readonly K[],
    limit?: number,
  ): Promise<EventGroupCount<K>[]>;

  /** The newest (highest id) matching event, without `content`. */
  abstract latest(filter: EventFilter): Promise<TelemetryEvent | undefined>;

  /** The oldest (lowest id) matching event, without `content`: the mirror of `latest`. */
  abstract earliest(filter: EventFilter): Promise<TelemetryEvent | undefined>;

  /**
   * Deletes up to `batchSize` (≤ `MAX_DELETE_BATCH`) of the oldest events whose `ts` is before
   * `cutoff`, in one short statement; returns how many. Call again until it returns less than
   * `batchSize` (see `applyRetention`).
   */
  abstract deleteOlderThan(cutoff: string, batchSize: number): Promise<number>;
}

/** `limit` as a store applies it: a positive whole number, at most `max`. @public */
export function boundedLimit(limit: number | undefined, max: number, what: string): number {
  if (limit === undefined) return max;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new AppError('INVALID_ARGUMENT', `${what} is a whole number ≥ 1, not ${String(limit)}`);
  return Math.min(limit, max);
}

/** Checks a `countBy` key list (it is spliced into SQL by the adapters: only known keys pass). @public */
export function checkGroupKeys(keys: readonly string[]): void {
  for (const key of keys)
    if (!(EVENT_GROUP_KEYS as readonly string[]).includes(key))
      throw new AppError('INVALID_ARGUMENT', `events cannot be counted by ${JSON.stringify(key)}`);
  if (new Set(keys).size !== keys.length) throw new AppError('INVALID_ARGUMENT', 'countBy keys repeat');
}

/** Checks `deleteOlderThan`'s batch size. @public */
export function checkDeleteBatch(batchSize: number): void {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_DELETE_BATCH)
    throw new AppError(
      'INVALID_ARGUMENT',
      `a retention batch is a whole number from 1 to ${String(MAX_DELETE_BATCH)}, not ${String(batchSize)}`,
    );
}

/**
 * The filter as stores apply it: time bounds in the stored ISO form (so they compare as text), a
 * checked duration bound and a checked id bound.
 * @public
 */
export function normalizeFilter<F extends EventFilter>(filter: F): F {
  const { minDurationMs, hooks } = filter;
  checkCursor(filter.beforeId);
  if (minDurationMs !== undefined && !Number.isFinite(minDurationMs))
    throw new AppError('INVALID_ARGUMENT', `minDurationMs is a number of milliseconds, not ${String(minDurationMs)}`);
  if (hooks !== undefined && hooks.length > MAX_FILTER_HOOKS)
    throw new AppError(
      'INVALID_ARGUMENT',
      `a filter names at most ${String(MAX_FILTER_HOOKS)} hooks, not ${String(hooks.length)}`,
    );
  return {
    ...filter,
    since: filter.since === undefined ? undefined : normalizeTimestamp(filter.since),
    until: filter.until === undefined ? undefined : normalizeTimestamp(filter.until),
  };
}

/** Checks a keyset cursor (`beforeId`): an event id, a whole number ≥ 1. @public */
export function checkCursor(beforeId: number | undefined): void {
  if (beforeId !== undefined && (!Number.isSafeInteger(beforeId) || beforeId < 1))
    throw new AppError('INVALID_ARGUMENT', `beforeId is an event id (a whole number ≥ 1), not ${String(beforeId)}`);
}
