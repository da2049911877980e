import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { UsageResponse } from '@agent-harness/core';
import type { Harness } from '@agent-harness/runtime';
import { HARNESS } from '../core/tokens.js';
import { UsageQueryDto } from './usage-query.dto.js';
import { usageJson } from './usage.presenter.js';

/** `GET /api/usage`: tokens and dollars by day, project, agent and model; today against `[limits]`. */
@Controller('api/usage')
export class UsageController {
  constructor(@Inject(HARNESS) private readonly harness: Harness) {}

  @Get()
  async usage(@Query() query: UsageQueryDto): Promise<UsageResponse> {
    return usageJson(await this.harness.usage.report(query));
  }
}
