import type { EventFilter, EventStore } from '@agent-harness/observe';
import type { Signal } from '../gc.types.js';
import { GC_HOOKS, addTo, countExcluding, type DetectionContext } from './detection-context.js';
import { makeSignal } from './signal.js';

/** Fewer events than this in a project's window say nothing about a trend. */
export const ESCALATION_MIN_EVENTS = 20;

const rounded = (n: number): number => Math.round(n * 10_000) / 10_000;

/**
 * The id that splits a project's window in two: the events with a smaller id are the first
 * `half`. A binary search over counts bounded by id (`beforeId`), between the window's earliest
 * and latest ids: about log2(id range) counts, each aggregated in the store.
 */
async function splitId(store: EventStore, filter: EventFilter, half: number): Promise<number | undefined> {
  const [first, last] = await Promise.all([store.earliest(filter), store.latest(filter)]);
  if (first === undefined || last === undefined) return undefined;
  // count(id < lo) = 0 < half ≤ total = count(id < hi): the answer is in (lo, hi].
  let lo = first.id;
  let hi = last.id + 1;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if ((await countExcluding(store, { ...filter, beforeId: mid }, GC_HOOKS)) >= half) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * `warn_escalation`: per project with at least `ESCALATION_MIN_EVENTS` events in the window, the
 * events split in two halves by id (append order); warn rate = warnings ÷ events in each half; a
 * signal (key `warn_rate`) when the first rate is above 0 and second ÷ first ≥ `escalationRatio`.
 * GC's own events count in neither half.
 */
export async function detectWarnEscalation(ctx: DetectionContext): Promise<Signal[]> {
  const { store, window, thresholds } = ctx;
  const totals = new Map<string, number>();
  for (const { project, hook, count } of await store.countBy(window, ['project', 'hook']))
    if (project !== null && hook !== null && !GC_HOOKS.has(hook)) addTo(totals, project, count);
  const signals: Signal[] = [];
  for (const [project, total] of [...totals].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (total < ESCALATION_MIN_EVENTS) continue;
    const scope = { ...window, project };
    const firstTotal = Math.floor(total / 2);
    const secondTotal = total - firstTotal;
    const split = await splitId(store, scope, firstTotal);
    if (split === undefined) continue;
    const warnings = { ...scope, decision: 'warn' as const };
    const [allWarn, firstWarn] = await Promise.all([
      countExcluding(store, warnings, GC_HOOKS),
      countExcluding(store, { ...warnings, beforeId: split }, GC_HOOKS),
    ]);
    const secondWarn = allWarn - firstWarn;
    if (firstWarn === 0) continue;
    const firstRate = firstWarn / firstTotal;
    const secondRate = secondWarn / secondTotal;
    // From the counts, not the rounded rates: 3/10 over 2/10 is exactly 1.5.
    const ratio = (secondWarn * firstTotal) / (firstWarn * secondTotal);
    if (ratio < thresholds.escalationRatio) continue;
    signals.push(
      makeSignal(
        'warn_escalation',
        project,
        'warn_rate',
        {
          count: secondWarn,
          metrics: {
            firstRate: rounded(firstRate),
            secondRate: rounded(secondRate),
            ratio: rounded(ratio),
            firstWarnings: firstWarn,
            secondWarnings: secondWarn,
            firstEvents: firstTotal,
            secondEvents: secondTotal,
          },
        },
        ctx.detectedAt,
      ),
    );
  }
  return signals;
}
