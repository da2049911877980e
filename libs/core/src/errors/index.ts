// `@agent-harness/core/errors`: the error base class and codes alone, for a caller that needs nothing
// else of core (the CLI's client commands start without loading the configuration code). The same
// modules as the main entry's, so `instanceof AppError` holds across both.
export { ERROR_CODES } from './error-codes.js';
export type { ErrorCode } from './error-codes.js';
export { AppError, toAppError, assertUnreachable } from './app-error.js';
