import { Controller, Get, Inject } from '@nestjs/common';
import { HARNESS_VERSION, type HealthResponse } from '@agent-harness/core';
import { SERVER_STARTED_AT } from '../core/tokens.js';

@Controller('health')
export class HealthController {
  constructor(@Inject(SERVER_STARTED_AT) private readonly startedAt: number) {}

  @Get()
  health(): HealthResponse {
    return {
      status: 'ok',
      version: HARNESS_VERSION,
      uptime_secs: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }
}
