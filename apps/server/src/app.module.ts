import { Module, type DynamicModule } from '@nestjs/common';
import type { Harness } from '@agent-harness/runtime';
import { CoreModule } from './core/core.module.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { AgentsController } from './agents/agents.controller.js';
import { EngineModule } from './engine/engine.module.js';
import { FleetController } from './fleet/fleet.controller.js';
import { HealthController } from './health/health.controller.js';
import { ProjectsController } from './projects/projects.controller.js';
import { ReviewsController } from './reviews/reviews.controller.js';
import { UsageController } from './usage/usage.controller.js';
import { RpcModule } from './rpc/rpc.module.js';
import { SchedulersModule } from './schedulers/schedulers.module.js';
import { TasksController } from './tasks/tasks.controller.js';
import { WebModule } from './web/web.module.js';
import { WebhookController } from './webhook/webhook.controller.js';

/** The REST API's controllers (the dashboard's and the RPC endpoint's modules add their own). */
export const REST_CONTROLLERS = [
  AgentsController,
  FleetController,
  HealthController,
  TasksController,
  DashboardController,
  ProjectsController,
  ReviewsController,
  UsageController,
  WebhookController,
] as const;

/** The root module: hands the Harness's objects to the controllers; holds no logic of its own. */
@Module({})
export class AppModule {
  static forRoot(options: {
    harness: Harness;
    startedAt: number;
    sseHeartbeatMs: number;
    /** Run the background jobs `[schedulers]` and `[review]` turn on. */
    schedulers: boolean;
  }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        EngineModule,
        RpcModule,
        SchedulersModule.forRoot(options.harness, options.schedulers),
        WebModule,
      ],
      controllers: [...REST_CONTROLLERS],
    };
  }
}
