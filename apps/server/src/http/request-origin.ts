import { AppError, isLoopbackHost } from '@agent-harness/core';
import type { NextFunction, Request, Response } from 'express';

/** Methods that change state; a browser may send them cross-site without asking first. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Paths exempt from the loopback `Host` check: GitHub's webhook arrives through whatever public name
 * or tunnel forwards it, and its HMAC signature (the secret, which no web page has) authenticates
 * it, so a rebinding page gains nothing there. The Origin checks below still apply.
 */
const SIGNED_PATHS = new Set(['/webhook']);
/** `Sec-Fetch-Site` values of requests a page of this server itself, or a user typing, made. */
const OWN_FETCH_SITES = new Set(['same-origin', 'none']);

/** The host name of a `Host` header value (`name`, `name:port`, `[v6]:port`), lower-cased. */
export function hostName(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.indexOf(':');
  return colon === -1 ? value : value.slice(0, colon);
}

/** True for names that only ever mean this machine: loopback addresses, `localhost` and `*.localhost`. */
export function isLoopbackName(name: string): boolean {
  return isLoopbackHost(name) || name.endsWith('.localhost');
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Express middleware against web pages driving the API from a browser.
 * - Without a token (`requireLoopbackHost`), the `Host` must name this machine: a page on
 *   `attacker.example` whose DNS answer changes to 127.0.0.1 (DNS rebinding) sends its own name.
 * - A state-changing request must not come from another site: an `Origin` other than the request's
 *   own host, or `Sec-Fetch-Site` other than same-origin/none, is refused.
 */
export function requestOriginGuard(options: {
  readonly requireLoopbackHost: boolean;
}): (req: Request, res: Response, next: NextFunction) => void {
  return (req, _res, next) => {
    const host = req.headers.host ?? '';
    const isSigned = SIGNED_PATHS.has(req.path.replace(/\/+$/, ''));
    if (options.requireLoopbackHost && !isSigned && !isLoopbackName(hostName(host))) {
      next(
        new AppError(
          'FORBIDDEN',
          'the Host header must name this machine (localhost, 127.0.0.1 or [::1]); set server.api_token to serve other names',
        ),
      );
      return;
    }
    if (STATE_CHANGING.has(req.method)) {
      const site = req.headers['sec-fetch-site'];
      const origin = req.headers.origin;
      if (site !== undefined && !OWN_FETCH_SITES.has(site.toLowerCase())) {
        next(new AppError('FORBIDDEN', 'cross-site requests are refused (Sec-Fetch-Site is not same-origin)'));
        return;
      }
      if (origin !== undefined && originHost(origin) !== host.trim().toLowerCase()) {
        next(new AppError('FORBIDDEN', 'cross-origin requests are refused (the Origin is not this server)'));
        return;
      }
    }
    next();
  };
}
