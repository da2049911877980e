import { Controller, Get, Inject } from '@nestjs/common';
import type { Operations } from '@agent-harness/app';
import type { FleetResponse } from '@agent-harness/core';
import { OPERATIONS } from '../core/tokens.js';

/** `GET /api/fleet`: every server sharing this database, its heartbeat, and the tasks it runs. */
@Controller('api/fleet')
export class FleetController {
  constructor(@Inject(OPERATIONS) private readonly operations: Operations) {}

  @Get()
  fleet(): Promise<FleetResponse> {
    return this.operations.fleet_status({});
  }
}
