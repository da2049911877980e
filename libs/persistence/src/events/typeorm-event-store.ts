import {
  EventStore,
  MAX_GROUPS,
  MAX_QUERY_LIMIT,
  boundedLimit,
  checkDeleteBatch,
  checkGroupKeys,
  normalizeEvent,
  normalizeFilter,
  normalizeTimestamp,
  type EventFilter,
  type EventGroupCount,
  type EventGroupKey,
  type EventQuery,
  type NewTelemetryEvent,
  type TelemetryEvent,
} from '@agent-harness/observe';
import type { DataSource } from 'typeorm';
import { sqlRows } from '../sql.js';
import {
  COLUMN_OF,
  INSERT_COLUMNS,
  READ_COLUMNS,
  eventFromRow,
  eventWhere,
  rowValues,
  type EventRow,
} from './event-sql.js';

/** Rows per INSERT statement: 12 bound values each, far below SQLite's 32,766 per statement. */
const ROWS_PER_INSERT = 500;
const ROW_PLACEHOLDERS = `(${INSERT_COLUMNS.map(() => '?').join(', ')})`;

/**
 * The telemetry event store in SQL (`telemetry_events`, see its migration for the indexes), as
 * plain statements: no entity hydration on these paths, every read bounded and aggregated in SQL.
 *
 * Every write is ONE statement, atomic on its own: the DataSource shares a single SQLite
 * connection with the other repositories, and a BEGIN from here could nest inside another
 * repository's open transaction. An append of up to 500 events is one multi-row INSERT (the
 * emitter's batch size); a larger one is several, each all-or-nothing.
 * @public
 */
export class TypeOrmEventStore extends EventStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async append(events: readonly NewTelemetryEvent[]): Promise<void> {
    // Every event checked before any is written: a bad one stores nothing.
    const normalized = events.map(normalizeEvent);
    for (let start = 0; start < normalized.length; start += ROWS_PER_INSERT) {
      const chunk = normalized.slice(start, start + ROWS_PER_INSERT);
      await sqlRows(
        this.dataSource,
        `INSERT INTO telemetry_events (${INSERT_COLUMNS.join(', ')}) VALUES ${chunk.map(() => ROW_PLACEHOLDERS).join(', ')}`,
        chunk.flatMap(rowValues),
      );
    }
  }

  async query(query: EventQuery): Promise<TelemetryEvent[]> {
    const limit = boundedLimit(query.limit, MAX_QUERY_LIMIT, 'limit');
    const where = eventWhere(normalizeFilter(query));
    const columns = `${READ_COLUMNS}${query.includeContent === true ? ', content' : ''}`;
    const rows = await sqlRows<EventRow>(
      this.dataSource,
      `SELECT ${columns} FROM telemetry_events${where.sql} ORDER BY id DESC LIMIT ?`,
      [...where.params, limit],
    );
    return rows.map(eventFromRow);
  }

  async countBy<K extends EventGroupKey>(
    filter: EventFilter,
    keys: readonly K[],
    limit?: number,
  ): Promise<EventGroupCount<K>[]> {
    // Keys are spliced into the SQL: only the known ones pass this check.
    checkGroupKeys(keys);
    const max = boundedLimit(limit, MAX_GROUPS, 'limit');
    const where = eventWhere(normalizeFilter(filter));
    if (keys.length === 0) {
      const [row] = await sqlRows<{ n: number | string }>(
        this.dataSource,
        `SELECT COUNT(*) AS n FROM telemetry_events${where.sql}`,
        where.params,
      );
      return [{ count: Number(row?.n ?? 0) } as EventGroupCount<K>];
    }
    const columns = keys.map((key) => COLUMN_OF[key]);
    const select = keys.map((key) => `${COLUMN_OF[key]} AS "${key}"`).join(', ');
    // Unset values first, then by text: the same order as InMemoryEventStore.
    const order = columns.map((c) => `(${c} IS NULL) DESC, ${c} ASC`).join(', ');
    const rows = await sqlRows<Record<string, unknown>>(
      this.dataSource,
      `SELECT ${select}, COUNT(*) AS n FROM telemetry_events${where.sql} GROUP BY ${columns.join(', ')} ORDER BY n DESC, ${order} LIMIT ?`,
      [...where.params, max],
    );
    return rows.map(
      (row) =>
        Object.fromEntries([
          ...keys.map((key) => [key, row[key] ?? null]),
          ['count', Number(row['n'])],
        ]) as EventGroupCount<K>,
    );
  }

  latest(filter: EventFilter): Promise<TelemetryEvent | undefined> {
    return this.first(filter, 'DESC');
  }

  earliest(filter: EventFilter): Promise<TelemetryEvent | undefined> {
    return this.first(filter, 'ASC');
  }

  /** The first matching event in id order: `latest` and `earliest` share one filter path. */
  private async first(filter: EventFilter, order: 'ASC' | 'DESC'): Promise<TelemetryEvent | undefined> {
    const where = eventWhere(normalizeFilter(filter));
    const [row] = await sqlRows<EventRow>(
      this.dataSource,
      `SELECT ${READ_COLUMNS} FROM telemetry_events${where.sql} ORDER BY id ${order} LIMIT 1`,
      where.params,
    );
    return row === undefined ? undefined : eventFromRow(row);
  }

  /** One DELETE of at most `batchSize` rows, found through the `ts` index: a short lock. */
  async deleteOlderThan(cutoff: string, batchSize: number): Promise<number> {
    checkDeleteBatch(batchSize);
    const deleted = await sqlRows<{ id: number }>(
      this.dataSource,
      'DELETE FROM telemetry_events WHERE id IN (SELECT id FROM telemetry_events WHERE ts < ? ORDER BY ts, id LIMIT ?) RETURNING id',
      [normalizeTimestamp(cutoff), batchSize],
    );
    return deleted.length;
  }
}
