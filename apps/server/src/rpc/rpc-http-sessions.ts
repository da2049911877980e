import { RpcSession } from './rpc-session.js';
import type { RpcMethodTable } from './rpc-methods.js';

/** An HTTP session unused this long is forgotten: its client must `initialize` again. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** Sessions kept at most; past it the least recently used is forgotten. */
const MAX_SESSIONS = 1000;

/** The sessions of `POST /rpc` clients, by the id `initialize` answered. */
export class RpcHttpSessions {
  private readonly sessions = new Map<string, RpcSession>();

  constructor(
    private readonly methods: RpcMethodTable,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The session a request names, or a fresh one when it names none (kept only if its handshake
   * starts); undefined for an id that is unknown or expired.
   */
  find(id: string | undefined): RpcSession | undefined {
    this.expire();
    if (id === undefined || id === '') return new RpcSession(this.methods, undefined);
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    // Most recently used last, so the first entry is the one to forget when full.
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  keepIfStarted(session: RpcSession): void {
    if (this.sessions.has(session.id) || !session.started) return;
    this.sessions.set(session.id, session);
    while (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }

  private expire(): void {
    const cutoff = this.now() - SESSION_IDLE_MS;
    for (const [id, session] of this.sessions) if (session.lastUsedAt < cutoff) this.sessions.delete(id);
  }
}
