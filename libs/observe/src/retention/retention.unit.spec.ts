import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ObserveLogger } from '../runtime-ports.js';
import { InMemoryEventStore } from '../testing/in-memory-event-store.js';
import { applyRetention, retentionCutoff, startRetention } from './retention.js';

const DAY = 86_400_000;
const now = new Date('2026-11-24T12:00:00.000Z');
const daysAgo = (days: number): string => new Date(now.getTime() - days * DAY).toISOString();

async function storeWithAges(ages: readonly number[]): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await store.append(ages.map((days) => ({ ts: daysAgo(days), hook: 'file_edit', decision: 'pass' as const })));
  return store;
}

/** Counts how many deletes run at once (there must never be two). */
class WatchedStore extends InMemoryEventStore {
  active = 0;
  mostAtOnce = 0;
  calls = 0;
  failWith: Error | undefined;
  override async deleteOlderThan(cutoff: string, batchSize: number): Promise<number> {
    this.calls++;
    this.active++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.active);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (this.failWith !== undefined) throw this.failWith;
      return await super.deleteOlderThan(cutoff, batchSize);
    } finally {
      this.active--;
    }
  }
}

const invalid: unknown = expect.objectContaining({ code: 'INVALID_ARGUMENT' });

describe('applyRetention', () => {
  it('keeps everything with 0 days, without touching the store', async () => {
    const store = await storeWithAges([1000, 1]);
    store.deleteOlderThan = () => Promise.reject(new Error('must not be called'));
    expect(await applyRetention(store, { retentionDays: 0, now })).toEqual({ deleted: 0, batches: 0, complete: true });
    expect(store.all()).toHaveLength(2);
  });

  it('deletes only events older than the limit, in bounded batches with a pause between them', async () => {
    const store = await storeWithAges([...Array.from({ length: 25 }, (_, i) => 91 + i), 89, 10, 0]);
    const pauses: number[] = [];
    const result = await applyRetention(store, {
      retentionDays: 90,
      now,
      batchSize: 10,
      pauseMs: 7,
      sleep: (ms) => {
        pauses.push(ms);
        return Promise.resolve();
      },
    });
    expect(result).toEqual({ deleted: 25, batches: 3, cutoff: daysAgo(90), complete: true });
    expect(pauses).toEqual([7, 7]);
    expect(store.all().map((e) => e.ts)).toEqual([daysAgo(89), daysAgo(10), daysAgo(0)]);
  });

  it('stops when aborted or after maxBatches, saying it is not complete', async () => {
    const store = await storeWithAges(Array.from({ length: 30 }, () => 100));
    const abort = new AbortController();
    const aborted = await applyRetention(store, {
      retentionDays: 30,
      now,
      batchSize: 10,
      signal: abort.signal,
      sleep: () => {
        abort.abort();
        return Promise.resolve();
      },
    });
    expect(aborted).toMatchObject({ deleted: 10, batches: 1, complete: false });
    const capped = await applyRetention(store, { retentionDays: 30, now, batchSize: 5, maxBatches: 2, pauseMs: 0 });
    expect(capped).toMatchObject({ deleted: 10, batches: 2, complete: false });
    expect(store.all()).toHaveLength(10);
  });

  it('refuses a limit that is not a whole number of days from 0', async () => {
    const store = new InMemoryEventStore();
    await expect(applyRetention(store, { retentionDays: -1, now })).rejects.toEqual(invalid);
    await expect(applyRetention(store, { retentionDays: 1.5, now })).rejects.toEqual(invalid);
    await expect(applyRetention(store, { retentionDays: 1, now, batchSize: 0 })).rejects.toEqual(invalid);
    expect(() => retentionCutoff(365_001, now)).toThrow(/from 0 to 365000/);
    // A limit reaching back before 1970 (the oldest storable event) deletes nothing.
    expect(retentionCutoff(365_000, now)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('startRetention', () => {
  let logger: ObserveLogger & { lines: string[] };
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(now);
    const lines: string[] = [];
    logger = { lines, warn: (m) => lines.push(`warn: ${m}`), info: (m) => lines.push(`info: ${m}`) };
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at start and then once per interval, never overlapping itself', async () => {
    const store = new WatchedStore();
    await store.append([{ ts: daysAgo(10), hook: 'file_edit', decision: 'pass' }]);
    const job = startRetention({ store, retentionDays: 7, intervalMs: DAY, logger });
    expect(store.calls).toBe(0); // not in the caller's tick
    await vi.advanceTimersByTimeAsync(1);
    const joined = job.runNow(); // joins the run under way
    await vi.advanceTimersByTimeAsync(10);
    expect(await joined).toMatchObject({ deleted: 1, complete: true });
    expect(store.calls).toBe(1);
    expect(logger.lines).toEqual(['info: telemetry retention: deleted 1 event(s)']);

    await store.append([{ ts: daysAgo(0), hook: 'file_edit', decision: 'pass' }]);
    await vi.advanceTimersByTimeAsync(DAY - 100);
    expect(store.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(store.calls).toBe(2);
    // A week later the event of "today" is past the limit.
    await vi.advanceTimersByTimeAsync(7 * DAY);
    expect(store.all()).toHaveLength(0);
    expect(store.mostAtOnce).toBe(1);
    await job.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('logs a failed run instead of throwing, and tries again at the next interval', async () => {
    const store = new WatchedStore();
    store.failWith = new Error('database is locked');
    const job = startRetention({ store, retentionDays: 7, intervalMs: 1000, logger });
    await vi.advanceTimersByTimeAsync(10);
    expect(logger.lines).toEqual(['warn: telemetry retention failed: database is locked']);
    store.failWith = undefined;
    await vi.advanceTimersByTimeAsync(1010);
    expect(logger.lines.at(-1)).toBe('info: telemetry retention: deleted 0 event(s)');
    await job.stop();
  });

  it('stop ends a run between batches and schedules nothing more', async () => {
    const store = new WatchedStore();
    await store.append(Array.from({ length: 50 }, () => ({ ts: daysAgo(30), hook: 'x', decision: 'pass' as const })));
    const job = startRetention({ store, retentionDays: 7, batchSize: 10, pauseMs: 1000, logger });
    await vi.advanceTimersByTimeAsync(10);
    const stopped = job.stop();
    await vi.advanceTimersByTimeAsync(2000);
    await stopped;
    expect(store.calls).toBe(1);
    expect(store.all()).toHaveLength(40);
    expect(await job.runNow()).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does nothing at all with 0 days', async () => {
    const store = new WatchedStore();
    const job = startRetention({ store, retentionDays: 0, logger });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * DAY);
    expect(store.calls).toBe(0);
    expect(logger.lines).toEqual(['info: telemetry retention off: log_retention_days = 0 keeps events forever']);
    await job.stop();
  });
});
