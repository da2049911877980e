import type { ErrorCode } from './error-codes.js';
import { describeStorageFault, storageFaultOf } from './storage-fault.js';

/**
 * The one base class for failures Harness raises on purpose. Carries a stable `code` (mapped to exit
 * codes and HTTP statuses at the edges) and optional structured `details`.
 * @public
 */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

/**
 * The single funnel for foreign errors: anything thrown becomes an `AppError`. A full disk or a
 * read-only database (`ENOSPC`, `SQLITE_FULL`, `SQLITE_READONLY`…) is `STORAGE_UNAVAILABLE`, a
 * damaged database file `DATABASE_CORRUPT`, wherever the write failed.
 * @public
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error as AppError;
  const storage = storageFaultOf(error);
  if (storage !== undefined) {
    const what = describeStorageFault(storage.fault);
    return storage.fault === 'corrupt'
      ? new AppError('DATABASE_CORRUPT', `${what} (${storage.code}): move it aside or restore it from a backup`, {
          cause: error,
        })
      : new AppError('STORAGE_UNAVAILABLE', `${what} (${storage.code}): nothing was written; retry once it is fixed`, {
          cause: error,
        });
  }
  if (error instanceof Error) return new AppError('INTERNAL', error.message, { cause: error });
  return new AppError('INTERNAL', String(error));
}

/** Marks a switch as exhaustive: adding a union member without handling it fails the build. @public */
export function assertUnreachable(value: never): never {
  throw new AppError('INTERNAL', `unreachable: ${JSON.stringify(value)}`);
}
