import { Module, type DynamicModule } from '@nestjs/common';
import type { Harness } from '@agent-harness/runtime';
import { CoreModule } from './core/core.module.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { EngineModule } from './engine/engine.module.js';
import { HealthController } from './health/health.controller.js';
import { RpcModule } from './rpc/rpc.module.js';
import { SchedulersModule } from './schedulers/schedulers.module.js';
import { TaskDiffController } from './tasks/task-diff.controller.js';
import { TaskStreamController } from './tasks/task-stream.controller.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { OperationRoutesController } from './operations/operation-routes.controller.js';
import { WebModule } from './web/web.module.js';
import { WebhookController } from './webhook/webhook.controller.js';

/**
 * The REST API's controllers (the dashboard's and the RPC endpoint's modules add their own): the
 * operations' routes, made from `OPERATION_ROUTES`, and the routes that are no operation.
 */
export const REST_CONTROLLERS = [
  OperationRoutesController,
  TaskStreamController,
  TaskDiffController,
  HealthController,
  DashboardController,
  WebhookController,
  OpenApiController,
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
