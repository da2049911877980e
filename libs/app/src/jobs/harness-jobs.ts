import type { JobRunner, ScheduledJob, SchedulerJobName } from './job-runner.js';

/** The background jobs of a Harness and the runner that keeps each from overlapping itself. @public */
export interface HarnessJobs {
  readonly runner: JobRunner;
  /** The jobs the configuration turns on (none when `[schedulers] enabled = false`). */
  configured(): Map<SchedulerJobName, ScheduledJob>;
}
