import type { EventFilter, EventStore } from '@agent-harness/observe';
import type { SignalThresholds } from '../gc.types.js';
import { GC_EVENT_HOOKS } from '../events/gc-events.js';

/** What every detector reads: the store, the window (`since ≤ ts < until`, maybe one project), the thresholds. */
export interface DetectionContext {
  readonly store: EventStore;
  readonly window: EventFilter;
  readonly thresholds: SignalThresholds;
  readonly detectedAt: string;
}

/** GC's own events: never evidence of a project's problems (see `GC_EVENT_HOOKS`). */
export const GC_HOOKS: ReadonlySet<string> = new Set(GC_EVENT_HOOKS);

/**
 * How many events match `filter`, leaving out the `excluded` hooks: one count grouped by hook,
 * summed here (a filter cannot say "not these hooks").
 */
export async function countExcluding(
  store: EventStore,
  filter: EventFilter,
  excluded: ReadonlySet<string>,
): Promise<number> {
  const groups = await store.countBy(filter, ['hook']);
  return groups.reduce((sum, group) => (group.hook !== null && excluded.has(group.hook) ? sum : sum + group.count), 0);
}

/** Adds `count` to `map[key]`. */
export function addTo<K>(map: Map<K, number>, key: K, count: number): void {
  map.set(key, (map.get(key) ?? 0) + count);
}
