import { Inject, Injectable, Module, type DynamicModule, type Type } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { AppError } from '@agent-harness/core';
import type { ScheduledJob, SchedulerJobName } from '@agent-harness/app';
import type { Harness } from '@agent-harness/runtime';
import { HARNESS } from '../core/tokens.js';
import { EngineLifecycle, EngineModule } from '../engine/engine.module.js';
import { ScheduledJobHost } from './scheduled-job-host.js';

function jobOf(harness: Harness, name: SchedulerJobName): ScheduledJob {
  const job = harness.jobs.configured().get(name);
  if (job === undefined) throw new AppError('INTERNAL', `scheduler ${name} is not configured`);
  return job;
}

/** The Nest provider that runs one job on its timer (see ScheduledJobHost). */
function jobScheduler(name: SchedulerJobName): Type {
  @Injectable()
  class JobScheduler extends ScheduledJobHost {
    constructor(@Inject(HARNESS) harness: Harness, registry: SchedulerRegistry, lifecycle: EngineLifecycle) {
      super(harness, registry, lifecycle, jobOf(harness, name));
    }
  }
  return JobScheduler;
}

/** `[schedulers.health]`: rule scan and health report of every project. */
@Module({ imports: [EngineModule], providers: [jobScheduler('health')] })
export class HealthSchedulerModule {}

/** `[schedulers.gc]`: GC of every project, as often as the worst health grade asks. */
@Module({ imports: [EngineModule], providers: [jobScheduler('gc')] })
export class GcSchedulerModule {}

/** `[schedulers.self_evolution]`: learn rules and skills, then skill governance. */
@Module({ imports: [EngineModule], providers: [jobScheduler('self_evolution')] })
export class SelfEvolutionSchedulerModule {}

/** `[schedulers.retention]`: telemetry older than `[observe] log_retention_days`. */
@Module({ imports: [EngineModule], providers: [jobScheduler('retention')] })
export class RetentionSchedulerModule {}

/** `[review]`: the periodic whole-repo review. */
@Module({ imports: [EngineModule], providers: [jobScheduler('review')] })
export class ReviewSchedulerModule {}

/** `[intake.github]`: the labelled-issue poller. */
@Module({ imports: [EngineModule], providers: [jobScheduler('intake')] })
export class IntakeSchedulerModule {}

const MODULES: Readonly<Record<SchedulerJobName, Type>> = {
  health: HealthSchedulerModule,
  gc: GcSchedulerModule,
  self_evolution: SelfEvolutionSchedulerModule,
  retention: RetentionSchedulerModule,
  review: ReviewSchedulerModule,
  intake: IntakeSchedulerModule,
};

/** The scheduler modules of the jobs the configuration turns on; none when `enabled` is false. */
@Module({})
export class SchedulersModule {
  static forRoot(harness: Harness, enabled: boolean): DynamicModule {
    const names = enabled ? [...harness.jobs.configured().keys()] : [];
    return {
      module: SchedulersModule,
      imports: names.length === 0 ? [] : [ScheduleModule.forRoot(), ...names.map((name) => MODULES[name])],
    };
  }
}
