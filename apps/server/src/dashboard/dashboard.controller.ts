import { Controller, Get, Inject } from '@nestjs/common';
import type { HarnessConfig } from '@agent-harness/core';
import { ACTIVE_STATUSES, ProjectCatalog, TaskRepository, type TaskCount } from '@agent-harness/queue';
import { HARNESS_CONFIG } from '../core/tokens.js';

function sum(counts: readonly TaskCount[], match: (c: TaskCount) => boolean): number {
  return counts.filter(match).reduce((total, c) => total + c.count, 0);
}

@Controller('api/dashboard')
export class DashboardController {
  constructor(
    @Inject(HARNESS_CONFIG) private readonly config: HarnessConfig,
    private readonly tasks: TaskRepository,
    private readonly projects: ProjectCatalog,
  ) {}

  @Get()
  async dashboard(): Promise<Record<string, unknown>> {
    const [counts, projects] = await Promise.all([this.tasks.countByProjectAndStatus(), this.projects.list()]);
    const running = (c: TaskCount): boolean => ACTIVE_STATUSES.includes(c.status);
    return {
      global: {
        running: sum(counts, running),
        queued: sum(counts, (c) => c.status === 'queued'),
        done: sum(counts, (c) => c.status === 'done'),
        failed: sum(counts, (c) => c.status === 'failed'),
        // Grades and PRs arrive with the review and GitHub flow.
        grade: null,
        max_concurrent: this.config.concurrency.max_concurrent_tasks,
        latest_pr: null,
      },
      projects: projects.map((p) => ({
        id: p.name,
        root: p.root,
        tasks: {
          running: sum(counts, (c) => c.project === p.name && running(c)),
          queued: sum(counts, (c) => c.project === p.name && c.status === 'queued'),
        },
      })),
    };
  }
}
