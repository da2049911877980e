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
 * the client sends it back in `Harness-Session` on every later call. Answers are HTTP 200 (the
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
  ): Promise<void> {
    const parsed = parseRpcText(req.rawJson ?? '');
    if (!parsed.ok) {
      res.status(200).json(parsed.error);
      return;
    }
    const session = this.sessions.find(sessionId);
    const response =
      session === undefined
        ? rejectEach(
            parsed.value,
            RPC_ERRORS.NOT_INITIALIZED,
            "unknown or expired session: send 'initialize' again and pass its session_id in the Harness-Session header",
          )
        : await session.handle(parsed.value);
    // A session is kept only once its client has started the handshake.
    if (session !== undefined) this.sessions.keepIfStarted(session);
    if (response === undefined) res.status(204).end();
    else res.status(200).json(response);
  }
}
