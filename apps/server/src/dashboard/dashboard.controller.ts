import { Controller, Get, Inject } from '@nestjs/common';
import type { DashboardResponse, HarnessConfig } from '@agent-harness/core';
import { ACTIVE_STATUSES, ProjectCatalog, TaskRepository, type TaskCount } from '@agent-harness/queue';
import { RulesService } from '@agent-harness/app';
import type { HealthReport } from '@agent-harness/observe';
import { HARNESS_CONFIG } from '../core/tokens.js';

/** Where `latest_pr` is looked for. */
const RECENT_FINISHED = 50;

/** A health report's grade and score, or nulls when there was nothing to grade. */
function healthOf(report: HealthReport | undefined): { grade: HealthReport['grade'] | null; score: number | null } {
  return report?.hasData === true ? { grade: report.grade, score: report.score } : { grade: null, score: null };
}

function sum(counts: readonly TaskCount[], match: (c: TaskCount) => boolean): number {
  return counts.filter(match).reduce((total, c) => total + c.count, 0);
}

@Controller('api/dashboard')
export class DashboardController {
  constructor(
    @Inject(HARNESS_CONFIG) private readonly config: HarnessConfig,
    private readonly tasks: TaskRepository,
    private readonly projects: ProjectCatalog,
    private readonly rules: RulesService,
  ) {}

  @Get()
  async dashboard(): Promise<DashboardResponse> {
    const [counts, projects, recent, health] = await Promise.all([
      this.tasks.countByProjectAndStatus(),
      this.projects.list(),
      this.tasks.withStatus(['done', 'failed'], false, RECENT_FINISHED),
      this.rules.recentHealth(),
    ]);
    const byProject = new Map(health.projects.map((r) => [r.project, r]));
    const running = (c: TaskCount): boolean => ACTIVE_STATUSES.includes(c.status);
    return {
      global: {
        running: sum(counts, running),
        queued: sum(counts, (c) => c.status === 'queued'),
        done: sum(counts, (c) => c.status === 'done'),
        failed: sum(counts, (c) => c.status === 'failed'),
        ...healthOf(health.overall),
        max_concurrent: this.config.concurrency.max_concurrent_tasks,
        latest_pr: recent.find((t) => t.prUrl !== undefined)?.prUrl ?? null,
      },
      projects: projects.map((p) => ({
        id: p.name,
        root: p.root,
        tasks: {
          running: sum(counts, (c) => c.project === p.name && running(c)),
          queued: sum(counts, (c) => c.project === p.name && c.status === 'queued'),
          done: sum(counts, (c) => c.project === p.name && c.status === 'done'),
          failed: sum(counts, (c) => c.project === p.name && c.status === 'failed'),
        },
        ...healthOf(byProject.get(p.name)),
      })),
    };
  }
}
