import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { ScheduledJob } from '@agent-harness/app';
import type { Harness } from '@agent-harness/runtime';
import type { EngineLifecycle } from '../engine/engine.module.js';

/**
 * Runs one of the Harness's background jobs on a timer held by `@nestjs/schedule`'s registry. The
 * first run comes when the job is due by its last start in the event store (a restart neither
 * skips a run nor repeats one). On each fire the next one is armed at once, an interval ahead, and
 * the run goes through the Harness's job runner: a run still going when the next fires makes that
 * one a logged skip, never a second run. After a run the next time is computed again (the GC's
 * interval follows the grade the run left).
 */
export abstract class ScheduledJobHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;

  protected constructor(
    private readonly harness: Harness,
    private readonly registry: SchedulerRegistry,
    private readonly lifecycle: EngineLifecycle,
    private readonly job: ScheduledJob,
  ) {}

  private get timerName(): string {
    return `harness-${this.job.name}`;
  }

  onApplicationBootstrap(): void {
    // Not awaited: bootstrap goes on while the engine starts; the timer is armed once it has.
    void this.lifecycle.started.then(async () => {
      this.arm(await this.harness.jobs.runner.dueInMs(this.job));
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.disarm();
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.disarm();
    const timer = setTimeout(() => {
      void this.fire();
    }, delayMs);
    timer.unref();
    this.registry.addTimeout(this.timerName, timer);
  }

  private disarm(): void {
    if (this.registry.doesExist('timeout', this.timerName)) this.registry.deleteTimeout(this.timerName);
  }

  private async fire(): Promise<void> {
    const { runner } = this.harness.jobs;
    try {
      this.arm(await this.job.intervalMs());
      const run = await runner.run(this.job);
      if (run.status !== 'skipped') this.arm(await runner.dueInMs(this.job));
    } catch {
      // The runner logs failures as events; a failure to read the next time keeps the armed one.
    }
  }
}
