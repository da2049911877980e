import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { NetworkEndpoint } from './sandbox-policy.js';

/** A forward: connections to this bridge socket go to the endpoint. */
export interface BridgeForward {
  readonly socket: string;
  readonly target: NetworkEndpoint;
}

/** Whether a name or address is this machine's loopback. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** Whether `host` is one of `domains` (`example.com`, or `*.example.com` for its subdomains). */
export function domainAllowed(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return domains.some((d) => {
    const domain = d.toLowerCase();
    return domain.startsWith('*.') ? h.endsWith(domain.slice(1)) && h.length > domain.length - 1 : h === domain;
  });
}

/** Splits `host:port` (with `[v6]:port`); undefined when it is not one. */
function hostPort(authority: string): NetworkEndpoint | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority);
  if (match === null) return undefined;
  const port = Number(match[2]);
  return port > 0 && port < 65536 ? { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port } : undefined;
}

function pipeBoth(a: Socket, b: Socket): void {
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.pipe(b).pipe(a);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * The host side of a sandbox's network: a Unix socket per allowed endpoint (the sandbox reaches it
 * on a loopback port, through socat), and an HTTP proxy socket that lets CONNECT and plain HTTP
 * requests through to allowed destinations only. Everything else is refused and remembered.
 */
export class NetworkBridge {
  /** `host:port` of every connection the proxy refused, in order. */
  readonly refused: string[] = [];
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly allowedEndpoints: readonly NetworkEndpoint[],
    private readonly domains: readonly string[],
  ) {}

  /**
   * Opens the sockets in `dir`: one per forward, and `proxy.sock` when `proxy` is true. Requests
   * through the proxy may reach `endpoints` (exact host and port) and `domains` (ports 80 and 443).
   */
  static async open(
    dir: string,
    forwards: readonly BridgeForward[],
    proxy: { readonly endpoints: readonly NetworkEndpoint[]; readonly domains: readonly string[] } | undefined,
  ): Promise<NetworkBridge> {
    const bridge = new NetworkBridge(proxy?.endpoints ?? [], proxy?.domains ?? []);
    try {
      for (const forward of forwards) {
        const server = createServer((inside) => {
          bridge.track(inside);
          pipeBoth(inside, bridge.track(connect(forward.target.port, forward.target.host)));
        });
        bridge.servers.push(server);
        await listen(server, join(dir, forward.socket));
      }
      if (proxy !== undefined) {
        const server = bridge.proxyServer();
        bridge.servers.push(server);
        await listen(server, join(dir, 'proxy.sock'));
      }
    } catch (error) {
      await bridge.close();
      throw error;
    }
    return bridge;
  }

  /** Whether the proxy lets a connection to `host:port` through. */
  allows(host: string, port: number): boolean {
    const h = host.toLowerCase();
    if (this.allowedEndpoints.some((e) => e.host.toLowerCase() === h && e.port === port)) return true;
    return (port === 443 || port === 80) && isIP(h) === 0 && domainAllowed(h, this.domains);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(
      this.servers.map((s) =>
        new Promise<void>((resolve) =>
          s.close(() => {
            resolve();
          }),
        ).catch(() => undefined),
      ),
    );
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    return socket;
  }

  private refuse(what: string): void {
    if (this.refused.length < 1000) this.refused.push(what);
  }

  private proxyServer(): Server {
    const server = createHttpServer((req, res) => {
      // A plain HTTP request through a proxy names the whole URL.
      let url: URL;
      try {
        url = new URL(req.url ?? '');
      } catch {
        res.writeHead(400).end('harness sandbox: a proxy request needs an absolute http URL\n');
        return;
      }
      const port = Number(url.port === '' ? 80 : url.port);
      if (url.protocol !== 'http:' || !this.allows(url.hostname, port)) {
        this.refuse(`${url.hostname}:${String(port)}`);
        res.writeHead(403).end(`harness sandbox: ${url.hostname} is not an allowed destination\n`);
        return;
      }
      const upstream = httpRequest(
        { host: url.hostname, port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
        (answer: IncomingMessage) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.on('connect', (req: IncomingMessage, inside: Socket, head: Buffer) => {
      this.track(inside);
      inside.on('error', () => inside.destroy());
      const target = hostPort(req.url ?? '');
      if (target === undefined || !this.allows(target.host, target.port)) {
        this.refuse(req.url ?? '');
        inside.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const outside = this.track(connect(target.port, target.host));
      outside.once('connect', () => {
        inside.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) outside.write(head);
        pipeBoth(inside, outside);
      });
      outside.once('error', () => {
        if (!inside.destroyed) inside.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      });
    });
    return server;
  }
}
