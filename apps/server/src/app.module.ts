import { Module, type DynamicModule } from '@nestjs/common';
import type { HarnessConfig } from '@agent-harness/core';
import type { Database } from '@agent-harness/persistence';
import { CoreModule } from './core/core.module.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { EngineModule } from './engine/engine.module.js';
import { HealthController } from './health/health.controller.js';
import { ProjectsController } from './projects/projects.controller.js';
import { TasksController } from './tasks/tasks.controller.js';

/** The root module: wires the libraries' objects into Nest; holds no logic of its own. */
@Module({})
export class AppModule {
  static forRoot(options: { config: HarnessConfig; env: Readonly<Record<string, string | undefined>>; database: Database; startedAt: number; sseHeartbeatMs: number }): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(options), EngineModule],
      controllers: [HealthController, TasksController, DashboardController, ProjectsController],
    };
  }
}
