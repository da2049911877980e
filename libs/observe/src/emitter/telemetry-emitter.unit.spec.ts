import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewTelemetryEvent } from '../events/telemetry-event.js';
import type { ObserveLogger } from '../runtime-ports.js';
import { InMemoryEventStore } from '../testing/in-memory-event-store.js';
import { RecordingTelemetrySink } from '../testing/recording-telemetry-sink.js';
import { TelemetryEmitter, type TelemetrySink } from './telemetry-emitter.js';

const draft = (n: number) => ({ hook: 'file_edit', decision: 'pass', detail: `f${String(n)}.ts` }) as const;

/** A store whose appends wait until released, or fail while `failing` is set. */
class ControlledStore extends InMemoryEventStore {
  failing: Error | undefined;
  appends = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  override async append(events: readonly NewTelemetryEvent[]): Promise<void> {
    this.appends++;
    await this.gate;
    if (this.failing !== undefined) throw this.failing;
    await super.append(events);
  }
}

function recordingLogger(): ObserveLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    warn(message) {
      warnings.push(message);
    },
  };
}

describe('TelemetryEmitter', () => {
  let store: ControlledStore;
  let logger: ReturnType<typeof recordingLogger>;
  const now = () => new Date('2026-11-24T10:00:00.000Z');
  beforeEach(() => {
    vi.useFakeTimers();
    store = new ControlledStore();
    logger = recordingLogger();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('buffers events and writes them in one append after the flush interval, stamped by its clock', async () => {
    const emitter = new TelemetryEmitter({ store, logger, now, flushIntervalMs: 1000 });
    emitter.emit(draft(1));
    emitter.emit({ ...draft(2), ts: '2026-11-23T08:00:00Z' });
    await vi.advanceTimersByTimeAsync(999);
    expect(store.all()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.appends).toBe(1);
    expect(store.all().map((e) => [e.detail, e.ts])).toEqual([
      ['f1.ts', '2026-11-24T10:00:00.000Z'],
      ['f2.ts', '2026-11-23T08:00:00.000Z'],
    ]);
    expect(emitter.stats()).toEqual({ buffered: 0, written: 2, dropped: 0, rejected: 0, failed: 0 });
  });

  it('writes at once when a batch is full (not after the interval), in appends of batchSize', async () => {
    const emitter = new TelemetryEmitter({ store, now, batchSize: 3, flushIntervalMs: 60_000 });
    emitter.emit(draft(0));
    emitter.emit(draft(1));
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.appends).toBe(0);
    for (let i = 2; i < 7; i++) emitter.emit(draft(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.all()).toHaveLength(7);
    expect(store.appends).toBe(3);
  });

  it('drops the oldest events when the buffer is full, counts them and warns once per write', async () => {
    const emitter = new TelemetryEmitter({ store, logger, now, capacity: 5, batchSize: 100 });
    for (let i = 0; i < 8; i++) emitter.emit(draft(i));
    expect(emitter.stats()).toMatchObject({ buffered: 5, dropped: 3 });
    await emitter.flush();
    expect(store.all().map((e) => e.detail)).toEqual(['f3.ts', 'f4.ts', 'f5.ts', 'f6.ts', 'f7.ts']);
    expect(logger.warnings).toEqual([expect.stringMatching(/dropped 3 event\(s\): buffer full \(5\)/)]);
  });

  it('never throws when the store fails: logs, retries on the next tick, gives up after maxAttempts', async () => {
    const emitter = new TelemetryEmitter({ store, logger, now, flushIntervalMs: 1000, maxAttempts: 2 });
    store.failing = new Error('database is locked');
    emitter.emit(draft(1));
    await vi.advanceTimersByTimeAsync(1000);
    expect(logger.warnings).toEqual(['telemetry: storing 1 event(s) failed: database is locked']);
    expect(emitter.stats()).toMatchObject({ buffered: 1, failed: 0 });
    emitter.emit(draft(2));
    await vi.advanceTimersByTimeAsync(1000);
    // f1 had its second (last) attempt; f2 its first.
    expect(emitter.stats()).toMatchObject({ buffered: 1, failed: 1, written: 0 });
    store.failing = undefined;
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.all().map((e) => e.detail)).toEqual(['f2.ts']);
    expect(emitter.stats()).toMatchObject({ buffered: 0, written: 1, failed: 1 });
  });

  it('rejects invalid events without throwing and reports them', async () => {
    const emitter = new TelemetryEmitter({ store, logger, now });
    expect(() => {
      emitter.emit({ hook: 'Not A Hook', decision: 'pass' });
      emitter.emit({ hook: 'x', decision: 'fine' as 'pass' });
    }).not.toThrow();
    await emitter.flush();
    expect(emitter.stats()).toMatchObject({ rejected: 2, buffered: 0 });
    expect(logger.warnings).toEqual([expect.stringMatching(/rejected 2 invalid event\(s\), last: an event decision/)]);
  });

  it('keeps emit synchronous and safe even when the logger and the store throw synchronously', async () => {
    const throwingStore = new InMemoryEventStore();
    throwingStore.append = () => {
      throw new Error('sync failure');
    };
    const emitter = new TelemetryEmitter({
      store: throwingStore,
      now,
      logger: {
        warn() {
          throw new Error('logger down');
        },
      },
    });
    expect(() => {
      emitter.emit(draft(1));
      emitter.emit({ hook: '', decision: 'pass' });
    }).not.toThrow();
    await expect(emitter.flush()).resolves.toBeUndefined();
    await expect(emitter.close()).resolves.toBeUndefined();
  });

  it('does not start a second write while one is under way, and flush waits for both', async () => {
    const emitter = new TelemetryEmitter({ store, now, flushIntervalMs: 10 });
    store.hold();
    emitter.emit(draft(1));
    await vi.advanceTimersByTimeAsync(10);
    emitter.emit(draft(2));
    await vi.advanceTimersByTimeAsync(10);
    expect(store.appends).toBe(1);
    const flushed = emitter.flush();
    store.release();
    await flushed;
    expect(store.all().map((e) => e.detail)).toEqual(['f1.ts', 'f2.ts']);
  });

  it('close writes what is buffered and drops what is emitted afterwards', async () => {
    const emitter = new TelemetryEmitter({ store, logger, now, flushIntervalMs: 60_000 });
    emitter.emit(draft(1));
    await emitter.close();
    expect(store.all()).toHaveLength(1);
    emitter.emit(draft(2));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(store.all()).toHaveLength(1);
    expect(emitter.stats()).toMatchObject({ dropped: 1, buffered: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close retries a failing store up to maxAttempts, then counts the rest as failed', async () => {
    const emitter = new TelemetryEmitter({ store, logger, now, maxAttempts: 3 });
    store.failing = new Error('disk full');
    emitter.emit(draft(1));
    emitter.emit(draft(2));
    await emitter.close();
    expect(store.appends).toBe(3);
    expect(emitter.stats()).toMatchObject({ failed: 2, buffered: 0, written: 0 });
    expect(logger.warnings.at(-1)).toBe('telemetry: gave up writing 2 event(s)');
  });
});

describe('RecordingTelemetrySink', () => {
  it('stands in for the emitter where a TelemetrySink is expected, keeping drafts in order', () => {
    const sink = new RecordingTelemetrySink();
    const emitTwo = (to: TelemetrySink) => {
      to.emit(draft(1));
      to.emit({ hook: 'validation', decision: 'block', tool: 'npm test' });
    };
    emitTwo(sink);
    expect(sink.events.map((e) => e.hook)).toEqual(['file_edit', 'validation']);
    expect(sink.ofHook('validation')).toEqual([{ hook: 'validation', decision: 'block', tool: 'npm test' }]);
  });
});
