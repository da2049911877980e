import type { DataSource } from 'typeorm';
import { databaseKind } from '../sql.js';

/** A held LISTEN on a PostgreSQL channel. @public */
export interface PgListener {
  close(): Promise<void>;
}

/** What a pg client of the driver's pool offers here (the driver is typed `any` by TypeORM). */
interface PooledClient {
  query(text: string, params?: unknown[]): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  release(destroy?: boolean): void;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
/** How long to wait before listening again after the connection broke. */
const RELISTEN_MS = 1000;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
}

/** Sends `payload` (at most 8000 bytes, PostgreSQL's limit) to every listener of `channel`. @public */
export async function notifyPostgres(dataSource: DataSource, channel: string, payload: string): Promise<void> {
  checkChannel(channel);
  await dataSource.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

/**
 * Listens on `channel` on a connection of its own, taken from the pool for as long as it listens.
 * A broken connection is replaced and the LISTEN renewed (notifications sent meanwhile are lost:
 * a listener that must miss nothing reads what it missed from the tables; `onReconnect` says when).
 * @public
 */
export async function listenPostgres(
  dataSource: DataSource,
  channel: string,
  onPayload: (payload: string) => void,
  options: { onReconnect?: (() => void) | undefined; logger?: { error(message: string): void } | undefined } = {},
): Promise<PgListener> {
  checkChannel(channel);
  if (databaseKind(dataSource) !== 'postgres') throw new Error('LISTEN needs PostgreSQL');
  const pool = (dataSource.driver as unknown as { master: { connect(): Promise<PooledClient> } }).master;
  // An object, not `let`s: callbacks change it while the functions below await.
  const state: { client: PooledClient | undefined; closed: boolean } = { client: undefined, closed: false };
  const connect = async (): Promise<void> => {
    const next = await pool.connect();
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
    });
    next.on('error', (error) => {
      options.logger?.error(`LISTEN ${channel}: ${error.message}; listening again`);
      next.release(true);
      if (state.client === next) state.client = undefined;
      if (!state.closed) setTimeout(() => void relisten(), RELISTEN_MS).unref();
    });
    await next.query(`LISTEN ${channel}`);
    state.client = next;
  };
  const relisten = async (): Promise<void> => {
    if (state.closed || state.client !== undefined) return;
    try {
      await connect();
      options.onReconnect?.();
    } catch (error) {
      options.logger?.error(`LISTEN ${channel}: ${error instanceof Error ? error.message : String(error)}`);
      // Tried again later (a close meanwhile ends the retries: relisten checks first).
      setTimeout(() => void relisten(), RELISTEN_MS).unref();
    }
  };
  await connect();
  return {
    close: async () => {
      state.closed = true;
      const held = state.client;
      state.client = undefined;
      if (held === undefined) return;
      await held.query(`UNLISTEN ${channel}`).catch(() => undefined);
      held.release();
    },
  };
}
