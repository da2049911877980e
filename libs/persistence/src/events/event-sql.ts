import { withoutUnset, type EventFilter, type EventGroupKey, type NewTelemetryEvent } from '@agent-harness/observe';
import type { Decision, Severity, TelemetryEvent } from '@agent-harness/observe';

/** Column of each event field (the SQL names are snake case). */
export const COLUMN_OF = {
  project: 'project',
  taskId: 'task_id',
  sessionId: 'session_id',
  hook: 'hook',
  decision: 'decision',
  tool: 'tool',
  severity: 'severity',
  reason: 'reason',
  detail: 'detail',
} as const satisfies Record<EventGroupKey, string>;

/** Inserted columns, in order (the id is the table's own). */
export const INSERT_COLUMNS = [
  'ts',
  'project',
  'task_id',
  'session_id',
  'hook',
  'tool',
  'decision',
  'severity',
  'reason',
  'detail',
  'duration_ms',
  'content',
] as const;

/** Everything but `content`, which is read only when asked for. */
export const READ_COLUMNS = ['id', ...INSERT_COLUMNS.filter((c) => c !== 'content')].join(', ');

/** Integers may come back as text (PostgreSQL's bigint): read through Number(). */
export interface EventRow {
  readonly id: number | string;
  readonly ts: string;
  readonly project: string | null;
  readonly task_id: string | null;
  readonly session_id: string | null;
  readonly hook: string;
  readonly tool: string | null;
  readonly decision: Decision;
  readonly severity: Severity | null;
  readonly reason: string | null;
  readonly detail: string | null;
  readonly duration_ms: number | string | null;
  readonly content?: string | null;
}

export interface Sql {
  readonly sql: string;
  readonly params: unknown[];
}

/** The `WHERE` of a filter (an empty string when it matches everything); values always bound, never spliced. */
export function eventWhere(filter: EventFilter): Sql {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const equal = (field: keyof typeof COLUMN_OF & keyof EventFilter): void => {
    const value = filter[field];
    if (value === undefined) return;
    clauses.push(`${COLUMN_OF[field]} = ?`);
    params.push(value);
  };
  for (const field of ['project', 'taskId', 'sessionId', 'hook', 'decision', 'tool', 'severity', 'detail'] as const)
    equal(field);
  if (filter.hooks !== undefined) {
    clauses.push(filter.hooks.length === 0 ? '1 = 0' : `hook IN (${filter.hooks.map(() => '?').join(', ')})`);
    params.push(...filter.hooks);
  }
  if (filter.since !== undefined) {
    clauses.push('ts >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    clauses.push('ts < ?');
    params.push(filter.until);
  }
  if (filter.minDurationMs !== undefined) {
    clauses.push('duration_ms >= ?');
    params.push(filter.minDurationMs);
  }
  if (filter.beforeId !== undefined) {
    clauses.push('id < ?');
    params.push(filter.beforeId);
  }
  return { sql: clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`, params };
}

/** Row values of an event, in `INSERT_COLUMNS` order. */
export function rowValues(event: NewTelemetryEvent): unknown[] {
  return [
    event.ts,
    event.project ?? null,
    event.taskId ?? null,
    event.sessionId ?? null,
    event.hook,
    event.tool ?? null,
    event.decision,
    event.severity ?? null,
    event.reason ?? null,
    event.detail ?? null,
    event.durationMs ?? null,
    event.content ?? null,
  ];
}

/** A row as the port's event: unset (NULL) fields absent. */
export function eventFromRow(row: EventRow): TelemetryEvent {
  return withoutUnset({
    id: Number(row.id),
    ts: row.ts,
    hook: row.hook,
    decision: row.decision,
    project: row.project ?? undefined,
    taskId: row.task_id ?? undefined,
    sessionId: row.session_id ?? undefined,
    tool: row.tool ?? undefined,
    severity: row.severity ?? undefined,
    reason: row.reason ?? undefined,
    detail: row.detail ?? undefined,
    durationMs: row.duration_ms === null ? undefined : Number(row.duration_ms),
    content: row.content ?? undefined,
  });
}
