import type { HarnessConfig } from '@agent-harness/core';
import { applyRetention, type EventStore, type HealthGrade, type TelemetrySink } from '@agent-harness/observe';
import type { Project, ProjectCatalog } from '@agent-harness/queue';
import type { GcService } from '../gc/gc-service.js';
import type { ReviewService } from '../reviews/review-service.js';
import type { RulesService } from '../rules/rules-service.js';
import type { SkillsService } from '../skills/skills-service.js';
import type { JobOutcome, ScheduledJob, SchedulerJobName } from './job-runner.js';

/** The event kind of a self-evolution tick (learning, then skill governance). @public */
export const SELF_EVOLUTION_HOOK = 'self_evolution_tick';

const HOUR_MS = 3_600_000;

/** What the jobs work with: parts of the Harness. */
export interface SchedulerJobDeps {
  readonly config: HarnessConfig;
  readonly projects: ProjectCatalog;
  readonly events: EventStore;
  readonly telemetry: TelemetrySink;
  readonly rules: RulesService;
  readonly gc: GcService;
  readonly skills: SkillsService;
  readonly reviews: ReviewService;
  readonly now: () => Date;
}

/** A fixed interval in hours, as milliseconds (at least 1 ms: a timer of 0 would spin). */
function hours(value: number): () => Promise<number> {
  const ms = Math.max(1, Math.round(value * HOUR_MS));
  return () => Promise.resolve(ms);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every active project, each through `work`; one project's failure is reported, the others still run. */
async function eachProject(projects: ProjectCatalog, work: (project: Project) => Promise<string>): Promise<JobOutcome> {
  const active = (await projects.list()).filter((p) => p.active);
  if (active.length === 0) return { summary: '', skipped: 'no active project' };
  const lines: string[] = [];
  const problems: string[] = [];
  for (const project of active) {
    try {
      lines.push(`${project.name}: ${await work(project)}`);
    } catch (error) {
      problems.push(`${project.name}: ${message(error)}`);
    }
  }
  // Every project failing is the job failing.
  if (lines.length === 0) throw new Error(problems.join('; '));
  return { summary: lines.join('; '), problems };
}

/** Rule scan and health report of every active project. */
export function healthJob(deps: SchedulerJobDeps): ScheduledJob {
  const schedule = deps.config.schedulers.health;
  return {
    name: 'health',
    firstRun: 'after_interval',
    intervalMs: hours(schedule.interval_hours),
    run: () =>
      eachProject(deps.projects, async (project) => {
        const scan = await deps.rules.scan({ name: project.name, root: project.root });
        const report = await deps.rules.health(project.name);
        return `grade ${report.grade} (score ${String(report.score)}), ${String(scan.result.violations.length)} violation(s)`;
      }),
  };
}

/**
 * GC of every active project. The interval is read again after every run from the projects' health
 * grades: the worst grade of them sets it (a failing project is not left for a week).
 */
export function gcJob(deps: SchedulerJobDeps): ScheduledJob {
  const schedule = deps.config.schedulers.gc;
  const byGrade: Record<HealthGrade, number> = {
    A: schedule.grade_a_hours,
    B: schedule.grade_b_hours,
    C: schedule.grade_c_hours,
    D: schedule.grade_d_hours,
  };
  return {
    name: 'gc',
    firstRun: 'after_interval',
    intervalMs: async () => {
      const active = (await deps.projects.list()).filter((p) => p.active);
      let intervalHours = byGrade.A;
      for (const project of active) {
        const { grade } = await deps.rules.health(project.name);
        intervalHours = Math.min(intervalHours, byGrade[grade]);
      }
      return Math.max(1, Math.round(intervalHours * HOUR_MS));
    },
    run: () =>
      eachProject(deps.projects, async (project) => {
        const report = await deps.gc.run({ name: project.name, root: project.root });
        const errors = report.errors.length === 0 ? '' : `, errors: ${report.errors.join(' | ')}`;
        return `${String(report.signals.length)} signal(s), ${String(report.drafts.length)} draft(s)${errors}`;
      }),
  };
}

/**
 * The self-evolution tick: learn rules and skills from each project's adopted drafts, then score
 * the skills (governance). Emits `self_evolution_tick` with what was learned and scored.
 */
export function selfEvolutionJob(deps: SchedulerJobDeps): ScheduledJob {
  return {
    name: 'self_evolution',
    firstRun: 'after_interval',
    intervalMs: hours(deps.config.schedulers.self_evolution.interval_hours),
    run: async () => {
      let rulesLearned = 0;
      let skillsLearned = 0;
      const learning = await eachProject(deps.projects, async (project) => {
        const scanned = { name: project.name, root: project.root };
        const rules = await deps.gc.learnRules(scanned);
        const skills = await deps.gc.learnSkills(scanned);
        rulesLearned += rules.learned.length;
        skillsLearned += skills.learned.length;
        return `${String(rules.learned.length)} rule(s), ${String(skills.learned.length)} skill(s) learned`;
      }).catch((error: unknown): JobOutcome => ({ summary: '', problems: [message(error)] }));
      // Governance scores what tasks did with skills, whatever learning did.
      const governance = await deps.skills.governanceTick();
      const summary = `rules learned ${String(rulesLearned)}, skills learned ${String(skillsLearned)}, skills scored ${String(governance.scored)}`;
      deps.telemetry.emit({
        hook: SELF_EVOLUTION_HOOK,
        decision: 'complete',
        reason: summary,
        ts: deps.now().toISOString(),
      });
      return {
        summary: [summary, learning.summary].filter((s) => s !== '').join('; '),
        problems: learning.problems,
      };
    },
  };
}

/** Deletes telemetry older than `[observe] log_retention_days`: at start, then every interval. */
export function retentionJob(deps: SchedulerJobDeps): ScheduledJob {
  return {
    name: 'retention',
    firstRun: 'now',
    intervalMs: hours(deps.config.schedulers.retention.interval_hours),
    run: async () => {
      const result = await applyRetention(deps.events, {
        retentionDays: deps.config.observe.log_retention_days,
        now: deps.now(),
      });
      return { summary: `deleted ${String(result.deleted)} event(s) before ${result.cutoff ?? '-'}` };
    },
  };
}

/**
 * `[review]`: the periodic whole-repo review of every active project; a project with no commit
 * since its last review is skipped, and the run is a skip when every project was.
 */
export function reviewJob(deps: SchedulerJobDeps): ScheduledJob {
  return {
    name: 'review',
    firstRun: 'now',
    intervalMs: hours(deps.config.review.interval_hours),
    run: async () => {
      const skipped: string[] = [];
      const outcome = await eachProject(deps.projects, async (project) => {
        const run = await deps.reviews.run(project.name);
        if (run.status === 'skipped') {
          skipped.push(project.name);
          return `skipped (${run.reason === 'no_new_commits' ? 'no new commits' : run.reason})`;
        }
        if (run.status === 'failed') throw new Error(`review failed: ${run.error ?? 'unknown'}`);
        return `${String(run.findings)} finding(s) at ${run.head.slice(0, 12)}${run.note === undefined ? '' : ` (${run.note})`}`;
      });
      const total = (await deps.projects.list()).filter((p) => p.active).length;
      if (outcome.skipped === undefined && skipped.length === total && (outcome.problems ?? []).length === 0)
        return { summary: outcome.summary, skipped: 'no new commits since the last review' };
      return outcome;
    },
  };
}

/** The jobs the configuration turns on, by name (the schedulers are off altogether when `enabled` is false). */
export function configuredJobs(
  deps: SchedulerJobDeps,
  extra: readonly ScheduledJob[] = [],
): Map<SchedulerJobName, ScheduledJob> {
  const { schedulers, observe } = deps.config;
  const jobs = new Map<SchedulerJobName, ScheduledJob>();
  if (!schedulers.enabled) return jobs;
  if (schedulers.health.enabled) jobs.set('health', healthJob(deps));
  if (schedulers.gc.enabled) jobs.set('gc', gcJob(deps));
  if (schedulers.self_evolution.enabled) jobs.set('self_evolution', selfEvolutionJob(deps));
  if (observe.log_retention_days > 0) jobs.set('retention', retentionJob(deps));
  if (deps.config.review.enabled) jobs.set('review', reviewJob(deps));
  for (const job of extra) jobs.set(job.name, job);
  return jobs;
}
