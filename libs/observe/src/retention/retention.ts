import { AppError } from '@agent-harness/core';
import { checkDeleteBatch, type EventStore } from '../events/event-store.js';
import {
  errorMessage,
  safeInfo,
  safeWarn,
  systemTimer,
  type CancelTimer,
  type ObserveLogger,
  type ScheduleTimer,
} from '../runtime-ports.js';

const DAY_MS = 86_400_000;
/** A thousand years: anything longer is surely a typo. */
const MAX_RETENTION_DAYS = 365_000;

/** @public */
export interface RetentionOptions {
  /** `[observe] log_retention_days`: events older than this many days are deleted; 0 keeps all. */
  readonly retentionDays: number;
  readonly now: Date;
  /** Events per delete statement (each its own short transaction). Default 5,000. */
  readonly batchSize?: number | undefined;
  /** Pause between batches, so other writers get the database. Default 10 ms. */
  readonly pauseMs?: number | undefined;
  /** Batches per run at most; the rest waits for the next run. Default 10,000. */
  readonly maxBatches?: number | undefined;
  /** Stops between batches. */
  readonly signal?: AbortSignal | undefined;
  /** Waits `ms` (default: a timer). */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** @public */
export interface RetentionResult {
  readonly deleted: number;
  readonly batches: number;
  /** Events before this instant were deleted; absent when retention is off (0 days). */
  readonly cutoff?: string | undefined;
  /** False when stopped early (aborted, or `maxBatches` reached) with old events left. */
  readonly complete: boolean;
}

/** A plain (ref'd) timer: a run under way keeps the process alive until it ends; only the wait between runs does not. */
const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** The instant before which events go, or undefined when `retentionDays` keeps everything. @public */
export function retentionCutoff(retentionDays: number, now: Date): string | undefined {
  checkRetentionDays(retentionDays);
  // Stored events are from 1970 on: a longer limit than that deletes nothing.
  return retentionDays === 0 ? undefined : new Date(Math.max(0, now.getTime() - retentionDays * DAY_MS)).toISOString();
}

function checkRetentionDays(retentionDays: number): void {
  if (!Number.isSafeInteger(retentionDays) || retentionDays < 0 || retentionDays > MAX_RETENTION_DAYS)
    throw new AppError(
      'INVALID_ARGUMENT',
      `log_retention_days is a whole number of days from 0 to ${String(MAX_RETENTION_DAYS)} (0 keeps events forever), not ${String(retentionDays)}`,
    );
}

/**
 * Deletes the events older than the retention limit in bounded batches, each one short statement,
 * pausing between them so the database is never held for long; until none are left, the run is
 * aborted or `maxBatches` is reached. 0 days is a no-op.
 * @public
 */
export async function applyRetention(store: EventStore, options: RetentionOptions): Promise<RetentionResult> {
  const cutoff = retentionCutoff(options.retentionDays, options.now);
  if (cutoff === undefined) return { deleted: 0, batches: 0, complete: true };
  const batchSize = options.batchSize ?? 5000;
  checkDeleteBatch(batchSize);
  const maxBatches = options.maxBatches ?? 10_000;
  const pauseMs = options.pauseMs ?? 10;
  const sleep = options.sleep ?? defaultSleep;
  let deleted = 0;
  let batches = 0;
  while (batches < maxBatches) {
    if (options.signal?.aborted === true) return { deleted, batches, cutoff, complete: false };
    const count = await store.deleteOlderThan(cutoff, batchSize);
    batches++;
    deleted += count;
    if (count < batchSize) return { deleted, batches, cutoff, complete: true };
    await sleep(pauseMs);
  }
  return { deleted, batches, cutoff, complete: false };
}

/** @public */
export interface RetentionJobOptions {
  readonly store: EventStore;
  readonly retentionDays: number;
  /** Between the end of one run and the start of the next. Default 24 h. */
  readonly intervalMs?: number | undefined;
  readonly logger?: ObserveLogger | undefined;
  readonly now?: (() => Date) | undefined;
  readonly schedule?: ScheduleTimer | undefined;
  readonly batchSize?: number | undefined;
  readonly pauseMs?: number | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** @public */
export interface RetentionJob {
  /** Runs now, or joins the run under way (runs never overlap); undefined when it failed (logged). */
  runNow(): Promise<RetentionResult | undefined>;
  /** No further runs; a run under way stops at its next batch. */
  stop(): Promise<void>;
}

/**
 * Applies retention at start (on the next tick, not in the caller's) and then `intervalMs` after
 * each run ends, never overlapping itself. Failures are logged, never thrown. With 0 days it does
 * nothing at all.
 * @public
 */
export function startRetention(options: RetentionJobOptions): RetentionJob {
  checkRetentionDays(options.retentionDays);
  const intervalMs = options.intervalMs ?? DAY_MS;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1)
    throw new AppError(
      'INVALID_ARGUMENT',
      `the retention interval is a whole number of ms ≥ 1, not ${String(intervalMs)}`,
    );
  const schedule = options.schedule ?? systemTimer;
  const now = options.now ?? (() => new Date());
  const abort = new AbortController();
  let running: Promise<RetentionResult | undefined> | undefined;
  let cancelTimer: CancelTimer | undefined;
  let stopped = false;

  if (options.retentionDays === 0) {
    safeInfo(options.logger, 'telemetry retention off: log_retention_days = 0 keeps events forever');
    return { runNow: () => Promise.resolve(undefined), stop: () => Promise.resolve() };
  }

  const runOnce = async (): Promise<RetentionResult | undefined> => {
    const started = now();
    try {
      const result = await applyRetention(options.store, {
        retentionDays: options.retentionDays,
        now: started,
        batchSize: options.batchSize,
        pauseMs: options.pauseMs,
        sleep: options.sleep,
        signal: abort.signal,
      });
      safeInfo(options.logger, `telemetry retention: deleted ${String(result.deleted)} event(s)`, {
        ...result,
        ms: now().getTime() - started.getTime(),
      });
      return result;
    } catch (error) {
      safeWarn(options.logger, `telemetry retention failed: ${errorMessage(error)}`);
      return undefined;
    }
  };

  const arm = (delayMs: number): void => {
    if (stopped) return;
    cancelTimer = schedule(() => {
      cancelTimer = undefined;
      void runNow();
    }, delayMs);
  };

  const runNow = (): Promise<RetentionResult | undefined> => {
    if (running !== undefined) return running;
    if (stopped) return Promise.resolve(undefined);
    cancelTimer?.();
    cancelTimer = undefined;
    running = runOnce().finally(() => {
      running = undefined;
      arm(intervalMs);
    });
    return running;
  };

  arm(0);
  return {
    runNow,
    async stop() {
      stopped = true;
      cancelTimer?.();
      cancelTimer = undefined;
      abort.abort();
      await running;
    },
  };
}
