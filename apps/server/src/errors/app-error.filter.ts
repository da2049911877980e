import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AppError, assertUnreachable, toAppError, type ErrorBody, type ErrorCode } from '@agent-harness/core';
import type { Response } from 'express';

/** The HTTP status of every error code. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'CONFIG_INVALID':
    case 'INVALID_ARGUMENT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'UNSUPPORTED':
      return 501;
    case 'INTERNAL':
    case 'GIT_FAILED':
    case 'DATABASE_CORRUPT':
      return 500;
    case 'AGENT_FAILED':
    case 'GITHUB_UNAUTHORIZED':
    case 'GITHUB_NOT_FOUND':
    case 'GITHUB_FAILED':
      return 502;
    case 'GITHUB_RATE_LIMITED':
      return 503;
    case 'AGENT_UNAVAILABLE':
    case 'STORAGE_UNAVAILABLE':
      return 503;
    case 'QUEUE_FULL':
      return 429;
    default:
      return assertUnreachable(code);
  }
}

/** The error code a bare HTTP status stands for (Nest's exceptions and Express's own errors carry only a status). */
export function errorCodeForStatus(status: number): ErrorCode {
  const known: Partial<Record<number, ErrorCode>> = {
    401: 'UNAUTHORIZED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'NOT_FOUND',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    429: 'QUEUE_FULL',
    501: 'UNSUPPORTED',
  };
  return known[status] ?? (status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL');
}

/** The error body now lives in the API contract; re-exported for the server's other error writers. */
export type { ErrorBody };

/** An Express or http-errors error with a client-error status (e.g. a path that is not valid percent-encoding). */
function clientErrorStatus(exception: unknown): number | undefined {
  if (!(exception instanceof Error) || exception instanceof AppError) return undefined;
  const status = (exception as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** The status and body for anything thrown while serving a request. */
export function errorResponse(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, body: { error: { code: errorCodeForStatus(status), message: exception.message } } };
  }
  const clientStatus = clientErrorStatus(exception);
  if (clientStatus !== undefined) {
    return {
      status: clientStatus,
      body: { error: { code: errorCodeForStatus(clientStatus), message: (exception as Error).message } },
    };
  }
  const error = toAppError(exception);
  const status = httpStatusFor(error.code);
  const message = error.code === 'INTERNAL' ? 'internal error' : error.message;
  return {
    status,
    body: { error: { code: error.code, message, ...(error.details === undefined ? {} : { details: error.details }) } },
  };
}

/**
 * Maps every error to one JSON shape, whoever raised it: `AppError`s by their code, Nest's HTTP
 * exceptions and Express's errors by their status, anything else to a 500 whose message does not
 * leak internals (it is logged instead).
 */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('AppErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = errorResponse(exception);
    const error = toAppError(exception);
    // A full disk is said once by the engine (dispatch paused), not with a stack per refused request.
    if (status >= 500 && error.code !== 'STORAGE_UNAVAILABLE') this.logger.error(error.message, error.stack);
    // A stream that failed after its headers went out can only be ended.
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(body);
  }
}
