import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_BODY_BYTES } from '../http/json-body.js';
import { hostName, isLoopbackName } from '../http/request-origin.js';
import { parseRpcText } from './json-rpc.js';
import type { RpcMethodTable } from './rpc-methods.js';
import { RpcSession } from './rpc-session.js';

/** Messages of one connection waiting for their turn; past this the connection is cut. */
const MAX_WAITING_MESSAGES = 1000;

export const WS_PATH = '/ws';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Why an upgrade to `/ws` is refused, as the HTTP status and message to answer, or undefined. The
 * same rules as every HTTP request: the bearer token when one is set, a Host naming this machine
 * when none is, and no other site's page (a browser sends any site's WebSocket with the user's
 * network position: the Origin must be this server).
 */
export function upgradeProblem(
  req: IncomingMessage,
  options: { readonly apiToken: string | undefined },
): { status: number; message: string } | undefined {
  const host = req.headers.host ?? '';
  if (options.apiToken === undefined && !isLoopbackName(hostName(host)))
    return { status: 403, message: 'the Host header must name this machine' };
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      originHost = undefined;
    }
    if (originHost !== host.trim().toLowerCase())
      return { status: 403, message: 'cross-origin WebSocket connections are refused (the Origin is not this server)' };
  }
  if (options.apiToken !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (match?.[1] === undefined || !timingSafeEqual(digest(match[1].trim()), digest(options.apiToken)))
      return { status: 401, message: 'missing or invalid bearer token' };
  }
  return undefined;
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message } });
  socket.end(
    `HTTP/1.1 ${String(status)} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Forbidden'}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${String(Buffer.byteLength(body))}\r\n` +
      `${status === 401 ? 'www-authenticate: Bearer\r\n' : ''}connection: close\r\n\r\n${body}`,
  );
}

/**
 * JSON-RPC over WebSocket at `/ws` on the server's own HTTP listener: one session per connection
 * (its own handshake), messages answered in the order they came, notifications pushed (task events
 * of the tasks it follows, job progress). A client that leaves more than `capacity` messages
 * unsent is disconnected rather than buffered for. Returns the function that closes every connection.
 */
export function attachRpcWebSocket(
  server: Server,
  options: { readonly methods: RpcMethodTable; readonly apiToken: string | undefined; readonly capacity: number },
): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0]?.replace(/\/+$/, '');
    if (path !== WS_PATH) {
      refuse(socket, 404, 'no WebSocket here: connect to /ws');
      return;
    }
    const problem = upgradeProblem(req, { apiToken: options.apiToken });
    if (problem !== undefined) {
      refuse(socket, problem.status, problem.message);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      serveConnection(ws, options.methods, options.capacity);
    });
  });
  return () =>
    new Promise<void>((resolve) => {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      wss.close(() => {
        resolve();
      });
    });
}

function serveConnection(ws: WebSocket, methods: RpcMethodTable, capacity: number): void {
  let unsent = 0;
  const send = (message: unknown): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (unsent >= capacity) {
      // A client this far behind: cut it loose rather than hold its messages.
      ws.terminate();
      return;
    }
    unsent += 1;
    ws.send(JSON.stringify(message), () => {
      unsent -= 1;
    });
  };
  const session = new RpcSession(methods, { send });
  // One message at a time, so `initialize` then `initialized` sent together are answered in order.
  let queue = Promise.resolve();
  let waiting = 0;
  ws.on('message', (data: RawData, isBinary: boolean) => {
    // A client that sends far faster than its calls are answered is cut, not queued without end.
    if (++waiting > MAX_WAITING_MESSAGES) {
      ws.terminate();
      return;
    }
    queue = queue
      .then(async () => {
        const text = isBinary
          ? ''
          : Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Buffer.concat(data as Buffer[]).toString('utf8');
        const parsed = parseRpcText(text);
        if (!parsed.ok) {
          send(parsed.error);
          return;
        }
        await session.respond(parsed.value, send);
      })
      // One message that could not be answered must not stop the ones after it.
      .catch(() => undefined)
      .finally(() => {
        waiting -= 1;
      });
  });
  ws.on('close', () => {
    session.close();
  });
  ws.on('error', () => {
    session.close();
  });
}
