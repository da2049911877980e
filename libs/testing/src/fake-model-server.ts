import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request a fake model server received. @public */
export interface RecordedModelRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

/** A running fake server on 127.0.0.1. @public */
export interface FakeModelServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly requests: readonly RecordedModelRequest[];
  /** Stops accepting and drops open connections (a model server that "goes away"). */
  close(): Promise<void>;
}

/** A model server that misbehaves at the connection level, the same way for every protocol. @public */
export type TransportFault =
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' }
  /** Close the connection without an answer. */
  | { readonly kind: 'drop' };

/** Acts out a transport fault; true when `reply` was one (and nothing else must be sent). */
export function actOutFault(reply: { readonly kind: string }, res: ServerResponse): reply is TransportFault {
  if (reply.kind === 'drop') res.socket?.destroy();
  return reply.kind === 'hang' || reply.kind === 'drop';
}

export type RouteHandler = (request: RecordedModelRequest, res: ServerResponse, index: number) => void | Promise<void>;

/** Sends one server-sent event. */
export function sendSse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        const parsed: unknown = text === '' ? {} : JSON.parse(text);
        resolve(typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {});
      } catch {
        resolve({ unparsable: text });
      }
    });
  });
}

/**
 * An HTTP server on 127.0.0.1 (a free port) that hands every POST to `post` (numbered from 0) and
 * answers anything else with 404. Requests are recorded.
 */
export async function startFakeHttpServer(post: RouteHandler): Promise<FakeModelServer> {
  const requests: RecordedModelRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const recorded: RecordedModelRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body,
      };
      if (req.method !== 'POST') {
        sendJson(res, 404, { error: 'not found' });
        return;
      }
      requests.push(recorded);
      try {
        await post(recorded, res, requests.length - 1);
      } catch (error) {
        if (!res.headersSent) sendJson(res, 500, { error: String(error) });
        else res.end();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
