import type { EventStore, NewTelemetryEvent } from '@agent-harness/observe';

/** The background jobs of a server; each has its own scheduler (a Nest module in the server). @public */
export const SCHEDULER_JOBS = ['health', 'gc', 'self_evolution', 'retention', 'review', 'intake'] as const;
/** @public */
export type SchedulerJobName = (typeof SCHEDULER_JOBS)[number];

/** How long after start a job that runs "now" waits: the server's start-up lines come first. */
const FIRST_RUN_DELAY_MS = 5000;

/** The event kind of every scheduler start, skip and outcome; `tool` is the job, `detail` the phase. @public */
export const SCHEDULER_HOOK = 'scheduler';

/** What a job's run did, in a line; `skipped` when there was nothing to do (and why). @public */
export interface JobOutcome {
  readonly summary: string;
  readonly skipped?: string | undefined;
  /** Something went wrong for part of the work (one project of several): logged as a warning. */
  readonly problems?: readonly string[] | undefined;
}

/** One background job: plain code the server's scheduler calls. @public */
export interface ScheduledJob {
  readonly name: SchedulerJobName;
  /**
   * When the job has never run: soon after the server starts (`FIRST_RUN_DELAY_MS`, or its interval
   * when shorter), or one interval after.
   */
  readonly firstRun: 'now' | 'after_interval';
  /** Milliseconds between runs, asked again after every run (the GC's follows the health grade). */
  intervalMs(): Promise<number>;
  run(): Promise<JobOutcome>;
}

/** What `JobRunner.run` did. @public */
export type JobRun =
  | { readonly status: 'ran'; readonly outcome: JobOutcome }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: string };

/**
 * Runs scheduled jobs so that none overlaps itself, and logs each start, skip and outcome as a
 * `scheduler` event (written at once, not buffered: the next due time is read back from them).
 * @public
 */
export class JobRunner {
  private readonly running = new Map<SchedulerJobName, Promise<JobRun>>();

  constructor(
    private readonly deps: {
      readonly events: EventStore;
      readonly now: () => Date;
      readonly redact: (text: string) => string;
      readonly logger?: { log(message: string): void; error(message: string): void } | undefined;
      /**
       * Told of a failed write: true when storage explains it (a full disk or a read-only database,
       * said once by the engine), and then the failure is not logged again.
       */
      readonly storageFailed?: ((error: unknown) => boolean) | undefined;
    },
  ) {}

  /** Runs the job unless its previous run is still going (then logs a skip and returns at once). */
  run(job: ScheduledJob): Promise<JobRun> {
    if (this.running.has(job.name)) {
      return this.record(job.name, 'skip', 'pass', 'the previous run is still going').then(() => ({
        status: 'skipped' as const,
        reason: 'the previous run is still going',
      }));
    }
    const run = this.runNow(job).finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
    return run;
  }

  /** Milliseconds until the job is due: its interval after its last start (kept across restarts). */
  async dueInMs(job: ScheduledJob): Promise<number> {
    const interval = await job.intervalMs();
    const last = await this.deps.events.latest({ hook: SCHEDULER_HOOK, tool: job.name, detail: 'start' });
    if (last === undefined) return job.firstRun === 'now' ? Math.min(interval, FIRST_RUN_DELAY_MS) : interval;
    return Math.max(0, Date.parse(last.ts) + interval - this.deps.now().getTime());
  }

  /** Resolves when no job is running (for shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async runNow(job: ScheduledJob): Promise<JobRun> {
    const started = this.deps.now().getTime();
    await this.record(job.name, 'start', 'pass', undefined);
    let run: JobRun;
    try {
      const outcome = await job.run();
      run = { status: 'ran', outcome };
    } catch (error) {
      run = { status: 'failed', error: this.deps.redact(error instanceof Error ? error.message : String(error)) };
    }
    const durationMs = Math.max(0, this.deps.now().getTime() - started);
    if (run.status === 'failed') {
      await this.record(job.name, 'failed', 'block', run.error, durationMs);
      this.deps.logger?.error(`scheduler: ${job.name} failed: ${run.error}`);
    } else {
      const { outcome } = run;
      const problems = outcome.problems ?? [];
      const text = this.deps.redact([outcome.skipped ?? outcome.summary, ...problems].join('; '));
      const phase = outcome.skipped === undefined ? 'done' : 'skip';
      await this.record(job.name, phase, problems.length > 0 ? 'warn' : 'complete', text, durationMs);
      this.deps.logger?.log(`scheduler: ${job.name} ${phase === 'skip' ? 'skipped' : 'done'}: ${text}`);
    }
    return run;
  }

  private async record(
    job: SchedulerJobName,
    phase: 'start' | 'skip' | 'done' | 'failed',
    decision: NewTelemetryEvent['decision'],
    reason: string | undefined,
    durationMs?: number,
  ): Promise<void> {
    try {
      await this.deps.events.append([
        {
          ts: this.deps.now().toISOString(),
          hook: SCHEDULER_HOOK,
          decision,
          tool: job,
          detail: phase,
          reason,
          durationMs: durationMs === undefined ? undefined : Math.round(durationMs),
        },
      ]);
    } catch (error) {
      // The job itself is what matters; a lost log line must not stop it.
      if (this.deps.storageFailed?.(error) === true) return;
      this.deps.logger?.error(
        `scheduler: could not record ${job} ${phase}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
