import { AppError } from '@agent-harness/core';
import { ProjectInput, projectOf } from '../input/project-input.js';
import { defineOperation } from '../operation.js';
import { projectName, scannedProject } from '../project-ports.js';
import { instant } from '../events/telemetry-operations.js';
import { MetricsQueryInput } from './metrics-inputs.js';
import type { RulePorts } from './rule-operations.js';

// The original harness's quality-report methods. Harness's quality report is its health report
// (`health_check`, `harness health`): these answer it, after a fresh scan or over a chosen window.

export const metricsCollect = defineOperation({
  name: 'metrics_collect',
  summary: "Scan a project with its rules' guards now, then answer its health report",
  input: ProjectInput,
  async execute(ports: RulePorts, input) {
    const project = await scannedProject(ports, projectOf(input));
    await ports.rules.scan(project);
    return ports.rules.health(project.name);
  },
});

export const metricsQuery = defineOperation({
  name: 'metrics_query',
  summary: 'The health report of a project (or all) over the events since a time (default: 30 days)',
  input: MetricsQueryInput,
  async execute(ports: RulePorts, input) {
    const filters = input.filters ?? {};
    const now = Date.now();
    const until = instant('filters.until', filters.until);
    if (until !== undefined && until < now)
      throw new AppError('INVALID_ARGUMENT', 'filters.until must not be in the past: a health report always ends now');
    const since = instant('filters.since', filters.since);
    if (since !== undefined && since >= now)
      throw new AppError('INVALID_ARGUMENT', 'filters.since must be in the past');
    const project = await projectName(ports, projectOf(filters));
    return ports.rules.health(project, since === undefined ? undefined : now - since);
  },
});
