import { hostname } from 'node:os';
import type { FleetServer, LeasedTask, TypeOrmFleetRegistry } from '@agent-harness/persistence';

/** How often a server says it is alive; three missed beats and it is shown as gone. */
export const FLEET_HEARTBEAT_MS = 5000;

/** One server as `GET /api/fleet` and `harness fleet status` show it. @public */
export interface FleetServerStatus extends FleetServer {
  /** Its heartbeat is recent and it did not stop. */
  readonly alive: boolean;
  readonly running: readonly Pick<LeasedTask, 'id' | 'project' | 'status'>[];
}

/** The fleet: every server sharing this database, and which tasks each runs. @public */
export interface FleetStatus {
  /** The id of the server answering. */
  readonly self: string;
  readonly database: 'sqlite' | 'postgres';
  readonly servers: readonly FleetServerStatus[];
}

/**
 * This server's place in the fleet: it registers at start, beats every 5 s (state `running` or
 * `draining`), and says `stopped` when it closes. On one SQLite server the fleet is itself.
 * @public
 */
export class FleetService {
  private timer: NodeJS.Timeout | undefined;
  private state: FleetServer['state'] = 'running';

  constructor(
    private readonly deps: {
      readonly registry: TypeOrmFleetRegistry;
      readonly serverId: string;
      readonly slots: number;
      readonly database: 'sqlite' | 'postgres';
      readonly now: () => Date;
      readonly logger?: { error(message: string): void } | undefined;
      /** True when storage explains a failed write (said once by the engine): not logged again. */
      readonly storageFailed?: ((error: unknown) => boolean) | undefined;
    },
  ) {}

  async start(): Promise<void> {
    const now = this.deps.now().toISOString();
    await this.deps.registry.register({
      id: this.deps.serverId,
      host: hostname(),
      pid: process.pid,
      startedAt: now,
      heartbeatAt: now,
      state: 'running',
      slots: this.deps.slots,
    });
    this.timer = setInterval(() => void this.beat(), FLEET_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Says it is draining: it claims nothing new. */
  async draining(): Promise<void> {
    this.state = 'draining';
    await this.beat();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.timer === undefined) return;
    this.timer = undefined;
    this.state = 'stopped';
    await this.beat();
  }

  async status(): Promise<FleetStatus> {
    const [servers, leased] = await Promise.all([this.deps.registry.list(), this.deps.registry.leasedTasks()]);
    const now = this.deps.now().getTime();
    return {
      self: this.deps.serverId,
      database: this.deps.database,
      servers: servers.map((server) => ({
        ...server,
        alive: server.state !== 'stopped' && now - Date.parse(server.heartbeatAt) < 3 * FLEET_HEARTBEAT_MS,
        running: leased
          .filter((t) => t.owner === server.id)
          .map(({ id, project, status }) => ({ id, project, status })),
      })),
    };
  }

  private async beat(): Promise<void> {
    try {
      await this.deps.registry.heartbeat(this.deps.serverId, this.deps.now().toISOString(), this.state);
    } catch (error) {
      if (this.deps.storageFailed?.(error) === true) return;
      this.deps.logger?.error(`fleet heartbeat: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
