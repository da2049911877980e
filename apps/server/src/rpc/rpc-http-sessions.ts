import { RpcSession } from './rpc-session.js';
import type { RpcMethodTable } from './rpc-methods.js';

/** An HTTP session unused this long is forgotten: its client must `initialize` again. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** Sessions kept at most; past it the least recently used is forgotten. */
const MAX_SESSIONS = 1000;

/**
 * The sessions of `POST /rpc` clients: by the id `initialize` answered (the `Harness-Session`
 * header), and for calls that name none, one per principal (the bearer token, or the loopback user
 * when the server has none), so separate `curl` calls of one client share their handshake.
 */
export class RpcHttpSessions {
  private readonly sessions = new Map<string, RpcSession>();
  /** The session of each principal's calls without a header: principal → session id. */
  private readonly byPrincipal = new Map<string, string>();

  constructor(
    private readonly methods: RpcMethodTable,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The session a request is for: the one its header names (undefined when unknown or expired);
   * without a header, its principal's, or a fresh one when it has none (kept only once its
   * handshake starts). A principal's session answers a repeated `initialize` and stays as it is.
   */
  find(id: string | undefined, principal: string): RpcSession | undefined {
    this.expire();
    if (id !== undefined && id !== '') return this.touch(id);
    const known = this.byPrincipal.get(principal);
    return (known === undefined ? undefined : this.touch(known)) ?? new RpcSession(this.methods, undefined, true);
  }

  /** Keeps a session once its handshake started; a session found without a header becomes its principal's. */
  keepIfStarted(session: RpcSession, principal: string | undefined): void {
    if (!session.started) return;
    if (principal !== undefined) this.byPrincipal.set(principal, session.id);
    if (this.sessions.has(session.id)) return;
    this.sessions.set(session.id, session);
    while (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
  }

  /** A kept session, now the most recently used (the first entry is the one to forget when full). */
  private touch(id: string): RpcSession | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  private forget(id: string): void {
    this.sessions.delete(id);
    for (const [principal, sessionId] of this.byPrincipal) if (sessionId === id) this.byPrincipal.delete(principal);
  }

  private expire(): void {
    const cutoff = this.now() - SESSION_IDLE_MS;
    for (const [id, session] of this.sessions) if (session.lastUsedAt < cutoff) this.forget(id);
  }
}
