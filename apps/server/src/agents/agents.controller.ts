import { Controller, Get, Inject } from '@nestjs/common';
import type { Operations } from '@agent-harness/app';
import type { AgentListResponse } from '@agent-harness/core';
import { OPERATIONS } from '../core/tokens.js';

/** `GET /api/agents`: the `agent_list` operation (the dashboard's agent choices come from it). */
@Controller('api/agents')
export class AgentsController {
  constructor(@Inject(OPERATIONS) private readonly operations: Operations) {}

  @Get()
  list(): Promise<AgentListResponse> {
    return this.operations.agent_list({});
  }
}
