import { ACTIVE_STATUSES, type TaskStatus } from '@agent-harness/queue';
import type { DataSource } from 'typeorm';
import { sqlRows } from '../sql.js';

/** What a server of the fleet says about itself, through its heartbeat. @public */
export interface FleetServer {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** `draining`: finishing its running tasks, claiming none; `stopped`: shut down cleanly. */
  readonly state: 'running' | 'draining' | 'stopped';
  /** Its `max_concurrent_tasks`. */
  readonly slots: number;
}

/** An active task and the server holding its lease. @public */
export interface LeasedTask {
  readonly id: string;
  readonly project: string;
  readonly status: TaskStatus;
  readonly owner: string;
  readonly leaseExpiresAt: string | undefined;
}

interface ServerRow {
  id: string;
  host: string;
  pid: number | string;
  started_at: string;
  heartbeat_at: string;
  state: string;
  slots: number | string;
}

/**
 * The servers sharing a database (`fleet_servers`) and the tasks each holds, in SQL that runs on
 * SQLite and PostgreSQL alike.
 * @public
 */
export class TypeOrmFleetRegistry {
  constructor(private readonly dataSource: DataSource) {}

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return sqlRows<T>(this.dataSource, sql, params);
  }

  /** Records the server (again, after a restart: same id, new start). */
  async register(server: FleetServer): Promise<void> {
    await this.query(
      `INSERT INTO fleet_servers (id, host, pid, started_at, heartbeat_at, state, slots) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, started_at = excluded.started_at,
       heartbeat_at = excluded.heartbeat_at, state = excluded.state, slots = excluded.slots`,
      [server.id, server.host, server.pid, server.startedAt, server.heartbeatAt, server.state, server.slots],
    );
  }

  async heartbeat(id: string, at: string, state: FleetServer['state']): Promise<void> {
    await this.query('UPDATE fleet_servers SET heartbeat_at = ?, state = ? WHERE id = ?', [at, state, id]);
  }

  async list(): Promise<FleetServer[]> {
    const rows = await this.query<ServerRow>(
      'SELECT id, host, pid, started_at, heartbeat_at, state, slots FROM fleet_servers ORDER BY started_at, id',
      [],
    );
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      pid: Number(r.pid),
      startedAt: r.started_at,
      heartbeatAt: r.heartbeat_at,
      state: r.state as FleetServer['state'],
      slots: Number(r.slots),
    }));
  }

  /** Every active task with a lease, oldest first. */
  async leasedTasks(): Promise<LeasedTask[]> {
    const statuses = [...ACTIVE_STATUSES];
    const rows = await this.query<{
      id: string;
      project: string;
      status: TaskStatus;
      lease_owner: string;
      lease_expires_at: string | null;
    }>(
      `SELECT id, project, status, lease_owner, lease_expires_at FROM tasks
       WHERE status IN (${statuses.map(() => '?').join(', ')}) AND lease_owner IS NOT NULL ORDER BY created_at, id`,
      statuses,
    );
    return rows.map((r) => ({
      id: r.id,
      project: r.project,
      status: r.status,
      owner: r.lease_owner,
      leaseExpiresAt: r.lease_expires_at ?? undefined,
    }));
  }
}
