import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { LogFormat } from './harness-logger.js';

const MAX_PATH_CHARS = 200;

/**
 * One log line per HTTP request, once its response is over: method, path, status, duration. The
 * query string is left out (it may carry a token) and so are headers. In `json` format the same
 * facts are also fields of the line.
 */
export function requestLog(logger: LoggerService, format: LogFormat, now: () => number = () => performance.now()) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const startedAt = now();
    res.once('close', () => {
      const ms = Math.round(now() - startedAt);
      const path = shownPath(req.originalUrl);
      const status = res.statusCode;
      // A stream the client closed before the end ends here too; say so rather than look complete.
      const left = res.writableFinished ? '' : ' (client closed)';
      const line = `${req.method} ${path} ${String(status)} ${String(ms)}ms${left}`;
      if (format === 'json') logger.log(line, { method: req.method, path, status, ms, completed: left === '' }, 'HTTP');
      else logger.log(line, 'HTTP');
    });
    next();
  };
}

/** The path without its query, cut to a readable length, with anything unprintable escaped. */
function shownPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  const printable = path.replace(
    /[^\x21-\x7e]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return printable.length > MAX_PATH_CHARS ? `${printable.slice(0, MAX_PATH_CHARS)}…` : printable;
}
