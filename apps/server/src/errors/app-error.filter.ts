import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { assertUnreachable, toAppError, type ErrorCode } from '@agent-harness/core';
import type { Response } from 'express';

/** The HTTP status of every error code. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'CONFIG_INVALID':
    case 'INVALID_ARGUMENT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'UNSUPPORTED':
      return 501;
    case 'INTERNAL':
      return 500;
    case 'AGENT_FAILED':
      return 502;
    case 'AGENT_UNAVAILABLE':
      return 503;
    case 'QUEUE_FULL':
      return 429;
    default:
      return assertUnreachable(code);
  }
}

/**
 * Maps every error to a JSON response: Nest's own HTTP errors as they are, `AppError`s by their
 * code, anything else to a 500 whose message does not leak internals (it is logged instead).
 */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('AppErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const error = toAppError(exception);
    const status = httpStatusFor(error.code);
    if (status >= 500) this.logger.error(error.message, error.stack);
    res.status(status).json({
      statusCode: status,
      error: error.code,
      message: status >= 500 && error.code === 'INTERNAL' ? 'internal error' : error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  }
}
