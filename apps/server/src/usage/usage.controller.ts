import { Controller, Get, Inject, Query } from '@nestjs/common';
import { UsageReportInput, type Operations } from '@agent-harness/app';
import type { UsageResponse } from '@agent-harness/core';
import { OPERATIONS } from '../core/tokens.js';

/** `GET /api/usage`: the `usage_report` operation. */
@Controller('api/usage')
export class UsageController {
  constructor(@Inject(OPERATIONS) private readonly operations: Operations) {}

  @Get()
  usage(@Query() query: UsageReportInput): Promise<UsageResponse> {
    return this.operations.usage_report(query);
  }
}
