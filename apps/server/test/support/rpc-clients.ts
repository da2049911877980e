import WebSocket from 'ws';

/** A JSON-RPC message as the tests read it. */
export interface RpcMessage {
  readonly jsonrpc: '2.0';
  readonly id?: string | number | null;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { code: number; message: string; data?: unknown };
}

/** `POST /rpc` with an optional session header; the parsed answer (undefined for 204). */
export async function httpRpc(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: RpcMessage | RpcMessage[] | undefined }> {
  const res = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as RpcMessage) };
}

/**
 * A WebSocket JSON-RPC client: `call` sends and waits for the answer of its id; every message
 * that is not an answer (a notification) is kept in `notifications` in arrival order.
 */
export class WsRpcClient {
  readonly notifications: RpcMessage[] = [];
  private readonly waiting = new Map<number | string, (message: RpcMessage) => void>();
  private readonly watchers: (() => void)[] = [];
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '') as RpcMessage;
      if (message.id !== undefined && message.id !== null && this.waiting.has(message.id)) {
        const resolve = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        resolve?.(message);
      } else {
        this.notifications.push(message);
        for (const watcher of this.watchers) watcher();
      }
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<WsRpcClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
      socket.once('open', () => {
        resolve(new WsRpcClient(socket));
      });
      socket.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: ${String(res.statusCode)}`));
      });
      socket.once('error', reject);
    });
  }

  call(method: string, params?: unknown): Promise<RpcMessage> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    });
  }

  /** Sends text as it is (a notification, a batch, garbage) and resolves with the next non-awaited message. */
  sendRaw(text: string): void {
    this.socket.send(text);
  }

  async handshake(): Promise<void> {
    await this.call('initialize');
    await this.call('initialized');
  }

  /** Resolves with the first notification matching, already received or still to come. */
  waitFor(match: (message: RpcMessage) => boolean, timeoutMs = 60_000): Promise<RpcMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.notifications.find(match);
        if (found === undefined) return false;
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        reject(new Error(`no matching notification in ${String(timeoutMs)} ms`));
      }, timeoutMs);
      if (!check()) this.watchers.push(() => void check());
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      this.socket.once('close', () => {
        resolve();
      });
      this.socket.close();
    });
  }
}
