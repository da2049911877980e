import { Inject, Injectable, Module, type DynamicModule, type Type } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { AppError } from '@agent-harness/core';
import type { Harness, ScheduledJob, SchedulerJobName } from '@agent-harness/runtime';
import { HARNESS } from '../core/tokens.js';
import { EngineLifecycle, EngineModule } from '../engine/engine.module.js';
import { ScheduledJobHost } from './scheduled-job-host.js';

function jobOf(harness: Harness, name: SchedulerJobName): ScheduledJob {
  const job = harness.schedule.jobs().get(name);
  if (job === undefined) throw new AppError('INTERNAL', `scheduler ${name} is not configured`);
  return job;
}

/** `[schedulers.health]`: rule scan and health report of every project. */
@Injectable()
export class HealthScheduler extends ScheduledJobHost {
  constructor(@Inject(HARNESS) harness: Harness, registry: SchedulerRegistry, lifecycle: EngineLifecycle) {
    super(harness, registry, lifecycle, jobOf(harness, 'health'));
  }
}

/** `[schedulers.gc]`: GC of every project, as often as the worst health grade asks. */
@Injectable()
export class GcScheduler extends ScheduledJobHost {
  constructor(@Inject(HARNESS) harness: Harness, registry: SchedulerRegistry, lifecycle: EngineLifecycle) {
    super(harness, registry, lifecycle, jobOf(harness, 'gc'));
  }
}

/** `[schedulers.self_evolution]`: learn rules and skills, then skill governance. */
@Injectable()
export class SelfEvolutionScheduler extends ScheduledJobHost {
  constructor(@Inject(HARNESS) harness: Harness, registry: SchedulerRegistry, lifecycle: EngineLifecycle) {
    super(harness, registry, lifecycle, jobOf(harness, 'self_evolution'));
  }
}

/** `[schedulers.retention]`: telemetry older than `[observe] log_retention_days`. */
@Injectable()
export class RetentionScheduler extends ScheduledJobHost {
  constructor(@Inject(HARNESS) harness: Harness, registry: SchedulerRegistry, lifecycle: EngineLifecycle) {
    super(harness, registry, lifecycle, jobOf(harness, 'retention'));
  }
}

/** `[review]`: the periodic whole-repo review. */
@Injectable()
export class ReviewScheduler extends ScheduledJobHost {
  constructor(@Inject(HARNESS) harness: Harness, registry: SchedulerRegistry, lifecycle: EngineLifecycle) {
    super(harness, registry, lifecycle, jobOf(harness, 'review'));
  }
}

/** `[intake.github]`: polls GitHub for labelled issues and queues them (never waits for them). */
@Injectable()
export class IntakeScheduler extends ScheduledJobHost {
  constructor(@Inject(HARNESS) harness: Harness, registry: SchedulerRegistry, lifecycle: EngineLifecycle) {
    super(harness, registry, lifecycle, jobOf(harness, 'intake'));
  }
}

@Module({ imports: [EngineModule], providers: [HealthScheduler] })
export class HealthSchedulerModule {}

@Module({ imports: [EngineModule], providers: [GcScheduler] })
export class GcSchedulerModule {}

@Module({ imports: [EngineModule], providers: [SelfEvolutionScheduler] })
export class SelfEvolutionSchedulerModule {}

@Module({ imports: [EngineModule], providers: [RetentionScheduler] })
export class RetentionSchedulerModule {}

@Module({ imports: [EngineModule], providers: [ReviewScheduler] })
export class ReviewSchedulerModule {}

@Module({ imports: [EngineModule], providers: [IntakeScheduler] })
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
    const names = enabled ? [...harness.schedule.jobs().keys()] : [];
    return {
      module: SchedulersModule,
      imports: names.length === 0 ? [] : [ScheduleModule.forRoot(), ...names.map((name) => MODULES[name])],
    };
  }
}
