// The narrow entry: reporting an error loads none of core's configuration code.
import { AppError, assertUnreachable, toAppError, type ErrorCode } from '@agent-harness/core/errors';
import type { CliContext } from './cli-context.js';

/** 2: the user must change what they typed or wrote; 1: it went wrong while running. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'CONFIG_INVALID':
    case 'INVALID_ARGUMENT':
    case 'UNSUPPORTED':
    case 'AGENT_UNAVAILABLE':
    case 'PAYLOAD_TOO_LARGE':
    case 'UNSUPPORTED_MEDIA_TYPE':
    case 'DATABASE_CORRUPT':
      // A damaged database must be moved aside or restored: running again changes nothing.
      return 2;
    case 'NOT_FOUND':
    case 'CONFLICT':
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
    case 'INTERNAL':
    case 'AGENT_FAILED':
    case 'QUEUE_FULL':
    case 'GIT_FAILED':
    case 'GITHUB_UNAUTHORIZED':
    case 'GITHUB_NOT_FOUND':
    case 'GITHUB_RATE_LIMITED':
    case 'GITHUB_FAILED':
    case 'STORAGE_UNAVAILABLE':
      return 1;
    default:
      return assertUnreachable(code);
  }
}

/** Prints an error the way every command does and sets the exit code from its error code. */
export function reportError(ctx: CliContext, error: unknown): void {
  const appError = toAppError(error);
  ctx.stderr.write(`harness: ${appError.message}\n`);
  // A foreign error the funnel could not name is a bug: its stack helps. One it named (a full disk,
  // a damaged database) is said in its one line.
  if (
    !(error instanceof AppError) &&
    appError.code === 'INTERNAL' &&
    error instanceof Error &&
    error.stack !== undefined
  ) {
    ctx.stderr.write(`${error.stack}\n`);
  }
  ctx.exitCode = exitCodeFor(appError.code);
}
