/**
 * Where observe writes what went wrong (and, optionally, what it did). The server adapts Nest's
 * logger, the CLI its own; `fields` are structured data, never secrets.
 * @public
 */
export interface ObserveLogger {
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info?(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Cancels a scheduled callback; calling it after the callback ran does nothing. @public */
export type CancelTimer = () => void;

/** Runs `callback` once after `delayMs`: injected so tests drive time themselves. @public */
export type ScheduleTimer = (callback: () => void, delayMs: number) => CancelTimer;

/**
 * The process's own timers, unref'd: a pending telemetry flush or retention run never keeps the
 * process alive on its own. Looked up at call time, so test fake timers apply.
 * @public
 */
export const systemTimer: ScheduleTimer = (callback, delayMs) => {
  const handle = setTimeout(callback, delayMs);
  handle.unref();
  return () => {
    clearTimeout(handle);
  };
};

/** Calls the logger without ever letting it throw into telemetry code. */
export function safeWarn(
  logger: ObserveLogger | undefined,
  message: string,
  fields?: Readonly<Record<string, unknown>>,
): void {
  try {
    logger?.warn(message, fields);
  } catch {
    // A broken logger must not break the caller; there is nowhere left to report it.
  }
}

/** As `safeWarn`, for information. */
export function safeInfo(
  logger: ObserveLogger | undefined,
  message: string,
  fields?: Readonly<Record<string, unknown>>,
): void {
  try {
    logger?.info?.(message, fields);
  } catch {
    // See safeWarn.
  }
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
