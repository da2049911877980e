import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ProjectAdmin, TaskEngine } from '@agent-harness/pipeline';
import { ProjectCatalog, TaskRepository } from '@agent-harness/queue';
import { RulesService } from '@agent-harness/app';
import type { Harness } from '@agent-harness/runtime';
import { HARNESS, OPERATIONS } from '../core/tokens.js';

/** Starts the Harness (config projects, then recovery, then dispatch) and stops its engine. */
@Injectable()
export class EngineLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private markStarted: () => void = () => undefined;
  /** Resolves once the Harness has started (projects synced, recovery done): schedulers wait for it. */
  readonly started = new Promise<void>((resolve) => {
    this.markStarted = resolve;
  });

  constructor(@Inject(HARNESS) private readonly harness: Harness) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.harness.start();
    this.markStarted();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.harness.engine.stop();
  }
}

/** Hands the Harness's operations, engine, repositories and project administration to the controllers. */
@Module({
  providers: [
    { provide: TaskRepository, inject: [HARNESS], useFactory: (harness: Harness) => harness.tasks },
    { provide: ProjectCatalog, inject: [HARNESS], useFactory: (harness: Harness) => harness.projects },
    { provide: TaskEngine, inject: [HARNESS], useFactory: (harness: Harness) => harness.engine },
    { provide: ProjectAdmin, inject: [HARNESS], useFactory: (harness: Harness) => harness.projectAdmin },
    { provide: RulesService, inject: [HARNESS], useFactory: (harness: Harness) => harness.rules },
    { provide: OPERATIONS, inject: [HARNESS], useFactory: (harness: Harness) => harness.operations },
    EngineLifecycle,
  ],
  exports: [TaskRepository, ProjectCatalog, TaskEngine, ProjectAdmin, RulesService, OPERATIONS, EngineLifecycle],
})
export class EngineModule {}
