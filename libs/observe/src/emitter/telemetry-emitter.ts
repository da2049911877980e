import { AppError } from '@agent-harness/core';
import type { EventStore } from '../events/event-store.js';
import { normalizeEvent } from '../events/normalize-event.js';
import type { NewTelemetryEvent, TelemetryEventDraft } from '../events/telemetry-event.js';
import {
  errorMessage,
  safeWarn,
  systemTimer,
  type CancelTimer,
  type ObserveLogger,
  type ScheduleTimer,
} from '../runtime-ports.js';
import { BoundedQueue } from './bounded-queue.js';

/**
 * Where code that runs tasks sends telemetry: `emit` is synchronous and never throws. Depend on
 * this (not on `TelemetryEmitter`) so tests can pass a `RecordingTelemetrySink`.
 * @public
 */
export interface TelemetrySink {
  emit(draft: TelemetryEventDraft): void;
}

/** @public */
export interface TelemetryEmitterOptions {
  readonly store: EventStore;
  readonly logger?: ObserveLogger | undefined;
  /** Stamps events emitted without `ts`. */
  readonly now?: (() => Date) | undefined;
  readonly schedule?: ScheduleTimer | undefined;
  /** Events held in memory at most; when full, the oldest is dropped. Default 10,000. */
  readonly capacity?: number | undefined;
  /** Events per `append`. Default 500. */
  readonly batchSize?: number | undefined;
  /** How long an event may wait before it is written. Default 1,000 ms. */
  readonly flushIntervalMs?: number | undefined;
  /** Writes of one event before it is given up. Default 3. */
  readonly maxAttempts?: number | undefined;
  /**
   * Told of a failed write: true when storage explains it (a full disk or a read-only database,
   * said once elsewhere), and then the failure is not logged again.
   */
  readonly storageFailed?: ((error: unknown) => boolean) | undefined;
}

/** @public */
export interface TelemetryEmitterStats {
  /** Waiting to be written. */
  readonly buffered: number;
  readonly written: number;
  /** Lost to a full buffer, or emitted after `close()`. */
  readonly dropped: number;
  /** Invalid (bad hook, decision, timestamp…): never buffered. */
  readonly rejected: number;
  /** Given up after `maxAttempts` failed writes. */
  readonly failed: number;
}

interface Pending {
  readonly event: NewTelemetryEvent;
  attempts: number;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new AppError('INVALID_ARGUMENT', `${what} is a whole number ≥ 0, not ${String(value)}`);
  return value;
}

/**
 * Buffers telemetry and writes it in batches, so emitting never slows or fails a task: `emit` is
 * synchronous and never throws, store errors are logged (and retried a few times), a full buffer
 * drops the oldest events and counts them. Writes happen on a short timer, at once when a batch is
 * full, and on `flush()` / `close()`; one write at a time.
 * @public
 */
export class TelemetryEmitter implements TelemetrySink {
  private readonly store: EventStore;
  private readonly logger: ObserveLogger | undefined;
  private readonly now: () => Date;
  private readonly schedule: ScheduleTimer;
  private readonly queue: BoundedQueue<Pending>;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly storageFailed: ((error: unknown) => boolean) | undefined;
  private timer: { cancel: CancelTimer; delayMs: number } | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  private readonly counts = { written: 0, dropped: 0, rejected: 0, failed: 0 };
  /** Losses not yet logged: reported at most once per write, not once per event. */
  private unreported = { dropped: 0, rejected: 0, lastRejection: '' };

  constructor(options: TelemetryEmitterOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.schedule = options.schedule ?? systemTimer;
    this.capacity = Math.max(1, positive(options.capacity, 10_000, 'capacity'));
    this.batchSize = Math.max(1, positive(options.batchSize, 500, 'batchSize'));
    this.flushIntervalMs = positive(options.flushIntervalMs, 1000, 'flushIntervalMs');
    this.maxAttempts = Math.max(1, positive(options.maxAttempts, 3, 'maxAttempts'));
    this.queue = new BoundedQueue(this.capacity);
    this.storageFailed = options.storageFailed;
  }

  /** Buffers one event for writing. Never throws and never waits. */
  emit(draft: TelemetryEventDraft): void {
    try {
      if (this.closed) {
        this.lose('dropped', 1);
        return;
      }
      const event = normalizeEvent({ ...draft, ts: draft.ts ?? this.now().toISOString() });
      this.lose('dropped', this.queue.push({ event, attempts: 0 }));
      this.arm(this.queue.length >= this.batchSize ? 0 : this.flushIntervalMs);
    } catch (error) {
      this.counts.rejected++;
      this.unreported.rejected++;
      this.unreported.lastRejection = errorMessage(error);
      // So the rejection is reported soon even when nothing else is emitted.
      this.arm(this.flushIntervalMs);
    }
  }

  /** Writes everything buffered (and what arrives meanwhile); resolves when done or a write failed. Never rejects. */
  async flush(): Promise<void> {
    this.disarm();
    // A write under way may have checked the buffer before the latest events came: start a new one after it.
    if (this.writing !== undefined) await this.writing;
    await this.drain();
  }

  /**
   * Stops the timer, writes what is buffered (retrying failed writes up to `maxAttempts`), and
   * drops whatever is emitted afterwards. Never rejects.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.disarm();
    if (this.writing !== undefined) await this.writing;
    for (let attempt = 0; attempt < this.maxAttempts && this.queue.length > 0; attempt++) await this.drain();
    const left = this.queue.take(this.capacity).length;
    if (left > 0) this.lose('failed', left);
    this.reportLosses();
  }

  stats(): TelemetryEmitterStats {
    return { buffered: this.queue.length, ...this.counts };
  }

  private lose(kind: 'dropped' | 'failed', count: number): void {
    if (count === 0) return;
    this.counts[kind] += count;
    if (kind === 'dropped') this.unreported.dropped += count;
    else safeWarn(this.logger, `telemetry: gave up writing ${String(count)} event(s)`, { events: count });
  }

  private arm(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) {
      if (this.timer.delayMs <= delayMs) return;
      this.timer.cancel();
    }
    try {
      const cancel = this.schedule(() => {
        this.timer = undefined;
        void this.drain();
      }, delayMs);
      this.timer = { cancel, delayMs };
    } catch (error) {
      safeWarn(this.logger, `telemetry: cannot schedule a write: ${errorMessage(error)}`);
    }
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One write loop at a time; callers arriving meanwhile share it. */
  private drain(): Promise<void> {
    this.reportLosses();
    this.writing ??= this.writeAll().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.take(this.batchSize);
      try {
        await this.store.append(batch.map((pending) => pending.event));
        this.counts.written += batch.length;
      } catch (error) {
        this.retryLater(batch, error);
        return;
      }
    }
  }

  private retryLater(batch: Pending[], error: unknown): void {
    const retry = batch.filter((pending) => ++pending.attempts < this.maxAttempts);
    if (this.storageFailed?.(error) !== true)
      safeWarn(this.logger, `telemetry: storing ${String(batch.length)} event(s) failed: ${errorMessage(error)}`, {
        events: batch.length,
        retrying: retry.length,
      });
    this.lose('failed', batch.length - retry.length);
    this.lose('dropped', this.queue.putBack(retry));
    if (this.queue.length > 0) this.arm(this.flushIntervalMs);
  }

  private reportLosses(): void {
    const { dropped, rejected, lastRejection } = this.unreported;
    if (dropped > 0)
      safeWarn(
        this.logger,
        `telemetry: dropped ${String(dropped)} event(s): buffer full (${String(this.capacity)}) or emitter closed`,
        { events: dropped },
      );
    if (rejected > 0)
      safeWarn(this.logger, `telemetry: rejected ${String(rejected)} invalid event(s), last: ${lastRejection}`, {
        events: rejected,
      });
    this.unreported = { dropped: 0, rejected: 0, lastRejection: '' };
  }
}
