import { Controller, Get, Inject } from '@nestjs/common';
import { HARNESS_VERSION } from '@agent-harness/core';
import { SERVER_STARTED_AT } from '../core/tokens.js';

export interface HealthResponse {
  readonly status: 'ok';
  readonly version: string;
  readonly uptime_secs: number;
}

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
