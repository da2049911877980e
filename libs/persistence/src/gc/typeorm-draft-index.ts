import { AppError } from '@agent-harness/core';
import {
  DRAFT_STATUSES,
  DraftIndex,
  type DraftIndexEntry,
  type DraftListFilter,
  type DraftStatus,
  type SignalType,
} from '@agent-harness/gc';
import type { DataSource } from 'typeorm';
import { sqlRows, whereEqual } from '../sql.js';

/** A `gc_drafts` row. */
interface DraftRow {
  id: string;
  project: string;
  status: string;
  signal_type: string;
  signal_id: string;
  signal_key: string;
  priority: number;
  artifact_count: number;
  agent: string;
  cost_usd: number | null;
  generated_at: string;
  status_changed_at: string | null;
  status_reason: string | null;
  task_id: string | null;
}

const COLUMNS = [
  'id',
  'project',
  'status',
  'signal_type',
  'signal_id',
  'signal_key',
  'priority',
  'artifact_count',
  'agent',
  'cost_usd',
  'generated_at',
  'status_changed_at',
  'status_reason',
  'task_id',
] as const;

/** Listing bounds: the port's default and cap. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function entryFromRow(row: DraftRow): DraftIndexEntry {
  return {
    id: row.id,
    project: row.project,
    status: row.status as DraftStatus,
    signalType: row.signal_type as SignalType,
    signalId: row.signal_id,
    signalKey: row.signal_key,
    priority: row.priority,
    artifactCount: row.artifact_count,
    agent: row.agent,
    costUsd: orUndefined(row.cost_usd),
    generatedAt: row.generated_at,
    statusChangedAt: orUndefined(row.status_changed_at),
    statusReason: orUndefined(row.status_reason),
    taskId: orUndefined(row.task_id),
  };
}

function rowValues(entry: DraftIndexEntry): unknown[] {
  return [
    entry.id,
    entry.project,
    entry.status,
    entry.signalType,
    entry.signalId,
    entry.signalKey,
    entry.priority,
    entry.artifactCount,
    entry.agent,
    entry.costUsd ?? null,
    entry.generatedAt,
    entry.statusChangedAt ?? null,
    entry.statusReason ?? null,
    entry.taskId ?? null,
  ];
}

function boundedLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new AppError('INVALID_ARGUMENT', `limit is a whole number ≥ 1, not ${String(limit)}`);
  return Math.min(limit, MAX_LIMIT);
}

/**
 * The GC draft index in SQL (`gc_drafts`). Every write is one statement: a status change is an
 * `UPDATE … WHERE status IN (…)`, so of two racing adopts exactly one changes a row.
 * @public
 */
export class TypeOrmDraftIndex extends DraftIndex {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async upsert(entry: DraftIndexEntry): Promise<void> {
    const updates = COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
    await sqlRows(
      this.dataSource,
      `INSERT INTO gc_drafts (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`,
      rowValues(entry),
    );
  }

  async get(id: string): Promise<DraftIndexEntry | undefined> {
    const rows = await sqlRows<DraftRow>(this.dataSource, `SELECT * FROM gc_drafts WHERE id = ?`, [id]);
    const [row] = rows;
    return row === undefined ? undefined : entryFromRow(row);
  }

  async list(filter: DraftListFilter): Promise<DraftIndexEntry[]> {
    const { sql: where, params } = whereEqual({ project: filter.project, status: filter.status });
    const rows = await sqlRows<DraftRow>(
      this.dataSource,
      `SELECT * FROM gc_drafts ${where} ORDER BY generated_at DESC, id DESC LIMIT ?`,
      [...params, boundedLimit(filter.limit)],
    );
    return rows.map(entryFromRow);
  }

  async transition(
    id: string,
    from: readonly DraftStatus[],
    to: DraftStatus,
    patch: { statusChangedAt: string; statusReason?: string; taskId?: string },
  ): Promise<boolean> {
    if (from.length === 0) return false;
    const sets = ['status = ?', 'status_changed_at = ?'];
    const params: unknown[] = [to, patch.statusChangedAt];
    if ('statusReason' in patch) {
      sets.push('status_reason = ?');
      params.push(patch.statusReason ?? null);
    }
    if ('taskId' in patch) {
      sets.push('task_id = ?');
      params.push(patch.taskId ?? null);
    }
    // RETURNING tells whether this statement changed the row, whatever else shares the connection.
    const changed = await sqlRows<{ id: string }>(
      this.dataSource,
      `UPDATE gc_drafts SET ${sets.join(', ')} WHERE id = ? AND status IN (${from.map(() => '?').join(', ')}) RETURNING id`,
      [...params, id, ...from],
    );
    return changed.length > 0;
  }

  async countByStatus(project?: string): Promise<Record<DraftStatus, number>> {
    // PostgreSQL answers COUNT as text.
    const rows = await sqlRows<{ status: string; n: number | string }>(
      this.dataSource,
      `SELECT status, COUNT(*) AS n FROM gc_drafts ${project === undefined ? '' : 'WHERE project = ?'} GROUP BY status`,
      project === undefined ? [] : [project],
    );
    const counts = Object.fromEntries(DRAFT_STATUSES.map((s) => [s, 0])) as Record<DraftStatus, number>;
    for (const row of rows)
      if ((DRAFT_STATUSES as readonly string[]).includes(row.status)) counts[row.status as DraftStatus] = Number(row.n);
    return counts;
  }

  async pendingBefore(cutoff: string, limit: number): Promise<string[]> {
    const rows = await sqlRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM gc_drafts WHERE status = 'pending' AND generated_at < ? ORDER BY generated_at ASC, id ASC LIMIT ?`,
      [cutoff, boundedLimit(limit)],
    );
    return rows.map((row) => row.id);
  }

  async pendingForSignal(project: string, signalId: string): Promise<DraftIndexEntry | undefined> {
    const rows = await sqlRows<DraftRow>(
      this.dataSource,
      `SELECT * FROM gc_drafts WHERE project = ? AND status = 'pending' AND signal_id = ? ORDER BY generated_at DESC LIMIT 1`,
      [project, signalId],
    );
    const [row] = rows;
    return row === undefined ? undefined : entryFromRow(row);
  }
}
