import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@agent-harness/core';
import type { NextFunction, Request, Response } from 'express';
import { OPEN_WEB_PATHS } from '../web/web-assets.js';

/**
 * Paths anyone may call, token or not: `/health` (load balancers and uptime checks), the
 * dashboard's static files (the page asks for the token itself; every API call it makes sends it),
 * and `/webhook`: GitHub sends no bearer token; its HMAC signature authenticates the delivery.
 */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health', '/webhook', ...OPEN_WEB_PATHS]);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Express middleware requiring `Authorization: Bearer <token>` on every path but the open ones,
 * including unknown paths, so a caller without the token learns nothing about the routes.
 * Both sides are hashed first so the comparison takes the same time whatever the input length.
 * A refusal goes to the error filter (401 in the API's error shape).
 */
export function bearerAuth(token: string): (req: Request, res: Response, next: NextFunction) => void {
  const expected = digest(token);
  return (req, res, next) => {
    if (OPEN_PATHS.has(req.path === '/' ? '/' : req.path.replace(/\/+$/, ''))) {
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
