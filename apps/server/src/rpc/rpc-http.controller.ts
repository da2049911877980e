import { createHash } from 'node:crypto';
import { Controller, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { RawJsonRequest } from '../http/json-body.js';
import { parseRpcText, rejectEach, RPC_ERRORS } from './json-rpc.js';
import { RpcHttpSessions } from './rpc-http-sessions.js';

/** The header naming an HTTP client's session: `initialize` answers its value as `session_id`. */
export const SESSION_HEADER = 'harness-session';

/**
 * `POST /rpc`: JSON-RPC 2.0 over HTTP, one message (a call, a notification or a batch) per request.
 * HTTP has no connection to hold a handshake, so `initialize` opens a session and answers its id;
 * a client sends it back in `Harness-Session`, or sends no header and shares its principal's
 * handshake (the usage guide's separate `curl` calls; a repeated `initialize` there changes nothing). Answers are HTTP 200 (the
 * JSON-RPC error is in the body), or 204 when the message held only notifications.
 */
@Controller('rpc')
export class RpcHttpController {
  constructor(@Inject(RpcHttpSessions) private readonly sessions: RpcHttpSessions) {}

  @Post()
  @HttpCode(200)
  async call(
    @Req() req: RawJsonRequest,
    @Res() res: Response,
    @Headers(SESSION_HEADER) sessionId: string | undefined,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<void> {
    const parsed = parseRpcText(req.rawJson ?? '');
    if (!parsed.ok) {
      res.status(200).json(parsed.error);
      return;
    }
    // Who calls: the token (the bearer guard has checked it), or this machine when the server has
    // none. Only a digest is kept.
    const token = authorization?.replace(/^\s*bearer\s+/i, '').trim();
    const principal = token === undefined ? 'loopback' : createHash('sha256').update(token).digest('hex');
    const named = sessionId !== undefined && sessionId !== '';
    const session = this.sessions.find(sessionId, principal);
    const response =
      session === undefined
        ? rejectEach(
            parsed.value,
            RPC_ERRORS.NOT_INITIALIZED,
            "unknown or expired session: send 'initialize' again and pass its session_id in the Harness-Session header",
          )
        : await session.handle(parsed.value);
    // A session is kept only once its client has started the handshake.
    if (session !== undefined) this.sessions.keepIfStarted(session, named ? undefined : principal);
    if (response === undefined) res.status(204).end();
    else res.status(200).json(response);
  }
}
