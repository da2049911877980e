import { Controller, Get, Inject } from '@nestjs/common';
import type { FleetResponse } from '@agent-harness/core';
import type { Harness } from '@agent-harness/runtime';
import { HARNESS } from '../core/tokens.js';

/** `GET /api/fleet`: every server sharing this database, its heartbeat, and the tasks it runs. */
@Controller('api/fleet')
export class FleetController {
  constructor(@Inject(HARNESS) private readonly harness: Harness) {}

  @Get()
  async fleet(): Promise<FleetResponse> {
    const status = await this.harness.fleet.status();
    return {
      self: status.self,
      database: status.database,
      servers: status.servers.map((s) => ({
        id: s.id,
        host: s.host,
        pid: s.pid,
        started_at: s.startedAt,
        heartbeat_at: s.heartbeatAt,
        state: s.state,
        slots: s.slots,
        alive: s.alive,
        running: s.running,
      })),
    };
  }
}
