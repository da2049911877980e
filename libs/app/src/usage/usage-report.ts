import type { UsageResponse } from '@agent-harness/core';
import { defineOperation } from '../operation.js';
import { UsageReportInput } from './usage-input.js';
import { usageJson } from './usage-presenter.js';
import type { UsageService } from './usage-service.js';

/** The ports of the usage operations. */
export interface UsagePorts {
  readonly usage: Pick<UsageService, 'report'>;
}

export const usageReport = defineOperation({
  name: 'usage_report',
  summary: 'Tokens and dollars by day, project, agent and model, and today against the spend limits',
  input: UsageReportInput,
  async execute(ports: UsagePorts, input): Promise<UsageResponse> {
    return usageJson(await ports.usage.report(input));
  },
});
