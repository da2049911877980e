import { Controller, Get, Inject } from '@nestjs/common';
import type { DashboardResponse, HarnessConfig } from '@agent-harness/core';
import { ACTIVE_STATUSES, ProjectCatalog, TaskRepository, type TaskCount } from '@agent-harness/queue';
import { overallGrade } from '@agent-harness/review';
import { HARNESS_CONFIG } from '../core/tokens.js';

/** The grade covers the most recent finished tasks. */
const RECENT_FOR_GRADE = 50;

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
  async dashboard(): Promise<DashboardResponse> {
    const [counts, projects, recent] = await Promise.all([
      this.tasks.countByProjectAndStatus(),
      this.projects.list(),
      this.tasks.withStatus(['done', 'failed'], false, RECENT_FOR_GRADE),
    ]);
    const running = (c: TaskCount): boolean => ACTIVE_STATUSES.includes(c.status);
    return {
      global: {
        running: sum(counts, running),
        queued: sum(counts, (c) => c.status === 'queued'),
        done: sum(counts, (c) => c.status === 'done'),
        failed: sum(counts, (c) => c.status === 'failed'),
        grade: overallGrade(recent.flatMap((t) => (t.score === undefined ? [] : [t.score]))),
        max_concurrent: this.config.concurrency.max_concurrent_tasks,
        latest_pr: recent.find((t) => t.prUrl !== undefined)?.prUrl ?? null,
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
