import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@agent-harness/core';
import type { NextFunction, Request, Response } from 'express';

/** Paths anyone may call, token or not (load balancers and uptime checks). */
const OPEN_PATHS = new Set(['/health']);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Express middleware requiring `Authorization: Bearer <token>` on every path but `/health`,
 * including unknown paths, so a caller without the token learns nothing about the routes.
 * Both sides are hashed first so the comparison takes the same time whatever the input length.
 * A refusal goes to the error filter (401 in the API's error shape).
 */
export function bearerAuth(token: string): (req: Request, res: Response, next: NextFunction) => void {
  const expected = digest(token);
  return (req, res, next) => {
    if (OPEN_PATHS.has(req.path.replace(/\/+$/, ''))) {
      next();
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1].trim()), expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer');
    next(new AppError('UNAUTHORIZED', 'missing or invalid bearer token'));
  };
}
