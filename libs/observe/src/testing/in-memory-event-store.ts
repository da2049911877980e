import { normalizeTimestamp, normalizeEvent } from '../events/normalize-event.js';
import {
  EventStore,
  MAX_GROUPS,
  MAX_QUERY_LIMIT,
  boundedLimit,
  checkDeleteBatch,
  checkGroupKeys,
  normalizeFilter,
  type EventFilter,
  type EventGroupCount,
  type EventGroupKey,
  type EventQuery,
} from '../events/event-store.js';
import type { NewTelemetryEvent, TelemetryEvent } from '../events/telemetry-event.js';

function matches(event: TelemetryEvent, filter: EventFilter): boolean {
  const equal = (key: 'project' | 'taskId' | 'sessionId' | 'hook' | 'decision' | 'tool' | 'severity' | 'detail') =>
    filter[key] === undefined || event[key] === filter[key];
  return (
    equal('project') &&
    equal('taskId') &&
    equal('sessionId') &&
    equal('hook') &&
    equal('decision') &&
    equal('tool') &&
    equal('severity') &&
    equal('detail') &&
    (filter.hooks === undefined || filter.hooks.includes(event.hook)) &&
    (filter.since === undefined || event.ts >= filter.since) &&
    (filter.until === undefined || event.ts < filter.until) &&
    (filter.minDurationMs === undefined ||
      (event.durationMs !== undefined && event.durationMs >= filter.minDurationMs)) &&
    (filter.beforeId === undefined || event.id < filter.beforeId)
  );
}

/** Unset before set, then by text: the order the SQL adapter's `ORDER BY` gives. */
function compareKey(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function withoutContent(event: TelemetryEvent): TelemetryEvent {
  if (event.content === undefined) return event;
  const { content: _content, ...rest } = event;
  return rest;
}

/** `work`'s result as a promise; what it throws becomes a rejection, as from the SQL adapter. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}

/**
 * The EventStore port in memory, for unit tests of whatever emits or reads telemetry: the same
 * behaviour as the SQL adapter (`eventStoreContract` checks both), without a database.
 * @public
 */
export class InMemoryEventStore extends EventStore {
  private events: TelemetryEvent[] = [];
  private nextId = 1;

  /** Every stored event, oldest first (a test's view; the port has no such read). */
  all(): readonly TelemetryEvent[] {
    return this.events;
  }

  append(events: readonly NewTelemetryEvent[]): Promise<void> {
    return settle(() => {
      // All checked before any is stored: a bad event stores nothing, as in SQL.
      const normalized = events.map(normalizeEvent);
      for (const event of normalized) this.events.push({ id: this.nextId++, ...event });
    });
  }

  query(query: EventQuery): Promise<TelemetryEvent[]> {
    return settle(() => this.select(query));
  }

  private select(query: EventQuery): TelemetryEvent[] {
    const limit = boundedLimit(query.limit, MAX_QUERY_LIMIT, 'limit');
    const filter = normalizeFilter(query);
    const found: TelemetryEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && found.length < limit; i--) {
      const event = this.events[i];
      if (event !== undefined && matches(event, filter))
        found.push(query.includeContent === true ? event : withoutContent(event));
    }
    return found;
  }

  countBy<K extends EventGroupKey>(
    filter: EventFilter,
    keys: readonly K[],
    limit?: number,
  ): Promise<EventGroupCount<K>[]> {
    return settle(() => this.count(filter, keys, limit));
  }

  private count<K extends EventGroupKey>(
    filter: EventFilter,
    keys: readonly K[],
    limit: number | undefined,
  ): EventGroupCount<K>[] {
    checkGroupKeys(keys);
    const max = boundedLimit(limit, MAX_GROUPS, 'limit');
    const normalized = normalizeFilter(filter);
    const groups = new Map<string, { values: (string | null)[]; count: number }>();
    let total = 0;
    for (const event of this.events) {
      if (!matches(event, normalized)) continue;
      total++;
      const values = keys.map((key) => event[key] ?? null);
      const id = JSON.stringify(values);
      const group = groups.get(id);
      if (group === undefined) groups.set(id, { values, count: 1 });
      else group.count++;
    }
    if (keys.length === 0) return [{ count: total } as EventGroupCount<K>];
    const sorted = [...groups.values()].sort((a, b) => {
      if (a.count !== b.count) return b.count - a.count;
      for (let i = 0; i < keys.length; i++) {
        const order = compareKey(a.values[i] ?? null, b.values[i] ?? null);
        if (order !== 0) return order;
      }
      return 0;
    });
    return sorted
      .slice(0, max)
      .map(
        (group) =>
          Object.fromEntries([
            ...keys.map((key, i) => [key, group.values[i] ?? null]),
            ['count', group.count],
          ]) as EventGroupCount<K>,
      );
  }

  async latest(filter: EventFilter): Promise<TelemetryEvent | undefined> {
    const [event] = await this.query({ ...filter, limit: 1 });
    return event;
  }

  earliest(filter: EventFilter): Promise<TelemetryEvent | undefined> {
    return settle(() => {
      const normalized = normalizeFilter(filter);
      const event = this.events.find((candidate) => matches(candidate, normalized));
      return event === undefined ? undefined : withoutContent(event);
    });
  }

  deleteOlderThan(cutoff: string, batchSize: number): Promise<number> {
    return settle(() => this.delete(cutoff, batchSize));
  }

  private delete(cutoff: string, batchSize: number): number {
    checkDeleteBatch(batchSize);
    const before = normalizeTimestamp(cutoff);
    const doomed = new Set(
      this.events
        .filter((event) => event.ts < before)
        .sort((a, b) => (a.ts === b.ts ? a.id - b.id : a.ts < b.ts ? -1 : 1))
        .slice(0, batchSize)
        .map((event) => event.id),
    );
    this.events = this.events.filter((event) => !doomed.has(event.id));
    return doomed.size;
  }
}
